import Foundation
import StippleCLI

// Kept to one statement: top-level code in main.swift is main-actor isolated in Swift 6.
exit(CLIRunner.run(Array(CommandLine.arguments.dropFirst()), in: .standard()))
