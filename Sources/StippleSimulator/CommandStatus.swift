/// `command_result.status` values (Firmware-Protocol/README.md section 7).
enum CommandStatus: UInt16 {
    case ok = 0
    case refusedInThisState = 1
    case outsideLimits = 2
    case faultLatched = 3
    case unknownCommand = 4
}
