#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The thread that runs libusb's event handling for one context: transfer callbacks and hotplug
/// callbacks run on it. It wakes at least every `pollMicroseconds` to see whether it should stop,
/// and `stop` interrupts libusb's wait so stopping does not take that long.
final class USBEventThread: @unchecked Sendable {
    // @unchecked: `context` and `usb` are immutable; the flags are atomics.
    private let usb: LibUSBCalls
    private let context: OpaquePointer
    private let pollMicroseconds: Int
    private let stopRequested = Atomic<Bool>(false)
    private let running = Atomic<Bool>(true)
    /// Event-handling calls that failed (other than by interruption).
    let failures = Atomic<Int>(0)
    private var thread = pthread_t()
    private var joined = false

    private init(usb: LibUSBCalls, context: OpaquePointer, pollMicroseconds: Int) {
        self.usb = usb
        self.context = context
        self.pollMicroseconds = pollMicroseconds
    }

    /// Starts handling events on a new thread; nil if pthread_create failed.
    static func start(usb: LibUSBCalls, context: OpaquePointer, pollMicroseconds: Int = 50_000) -> USBEventThread? {
        let t = USBEventThread(usb: usb, context: context, pollMicroseconds: pollMicroseconds)
        let retained = Unmanaged.passRetained(t).toOpaque()
        let rc = pthread_create(&t.thread, nil, { raw in
            let me = Unmanaged<USBEventThread>.fromOpaque(raw!).takeRetainedValue()
            me.loop()
            return nil
        }, retained)
        guard rc == 0 else {
            Unmanaged<USBEventThread>.fromOpaque(retained).release()
            return nil
        }
        return t
    }

    private func loop() {
        var tv = timeval()
        while !stopRequested.load(ordering: .acquiring) {
            tv.tv_sec = pollMicroseconds / 1_000_000
            tv.tv_usec = pollMicroseconds % 1_000_000
            let rc = usb.handleEventsTimeoutCompleted(context, &tv)
            if rc < 0 && rc != LibUSBCode.interrupted {
                // A broken event source must not turn this thread into a busy loop.
                failures.add(1, ordering: .relaxed)
                usleep(1000)
            }
        }
        running.store(false, ordering: .releasing)
    }

    var isRunning: Bool { running.load(ordering: .acquiring) }

    /// Stops the thread and waits for it. Call from another thread, once the context's
    /// transfers have all completed.
    func stop() {
        guard !joined else { return }
        stopRequested.store(true, ordering: .releasing)
        usb.interruptEventHandler(context)
        pthread_join(thread, nil)
        joined = true
    }
}
