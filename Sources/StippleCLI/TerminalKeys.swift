import Glibc

/// Puts the terminal in raw, non-blocking mode for single-key control (space = pedal, e = e-stop)
/// and restores it on `restore()` — also after a Ctrl-C, via the SIGINT handler the run installs.
final class TerminalKeys {
    private var original = termios()
    private(set) var active = false

    /// nil when standard input is not a terminal (scripts, pipes, CI).
    init?() {
        guard isatty(STDIN_FILENO) == 1, tcgetattr(STDIN_FILENO, &original) == 0 else { return nil }
        var raw = original
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 0
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0 else { return nil }
        active = true
    }

    /// The next key pressed, if any; never blocks.
    func poll() -> UInt8? {
        var byte: UInt8 = 0
        return read(STDIN_FILENO, &byte, 1) == 1 ? byte : nil
    }

    func restore() {
        guard active else { return }
        tcsetattr(STDIN_FILENO, TCSANOW, &original)
        active = false
    }

    deinit { restore() }
}
