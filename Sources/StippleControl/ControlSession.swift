import StippleHardware
import StippleModel
import StippleWire

/// The imperative shell around `ControlCore.step` for one machine: each `cycle(now:)` reads the
/// GPIO edges and the link, runs the step, then applies its outputs in safety order (enable line,
/// then commands, then records). Everything is preallocated at init; a cycle allocates nothing.
public final class ControlSession {
    public let link: ReliableLink
    public let machine: MachineSpec
    public private(set) var state = ControlState()
    public private(set) var phase: ConnectionPhase
    /// Commands the link refused (queue full); each is a lost command and is counted.
    public private(set) var commandsRefused = 0
    public private(set) var deviceErrors = 0
    public private(set) var lastDeviceError: LinkError?

    private let device: DeviceLink
    private let gpio: GPIOLines
    private let records: (ControlRecord) -> Void
    private let nextRequest: () -> OperatorRequest?
    private let drainEdges: (inout [GPIOEdge]) -> Void
    private let enableInhibited: () -> Bool
    private let reconnectDevice: () -> Bool
    private var nonce: UInt32
    private let writeEnable: (Bool) -> Bool
    private var edges: [GPIOEdge] = []
    private let rx = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
    private var pedalDown = false
    private var estopActive = false
    private var cartridgePresent = true
    private var enableWritten: Bool?
    private var ledWritten: Bool?
    /// How long identify, then set_config, may take: five link timeouts, at least 500 ms (so a
    /// machine whose file grants a patient link, like the emulated rig's, is given time to answer
    /// too).
    private let connectTimeout: UInt64
    /// A reconnect restarted the handshake; when it completes the session records `linkRestored`.
    private var reconnecting = false
    private var linkRestored = false

    /// - Parameters:
    ///   - edges: where GPIO edges come from; by default drained from `gpio` in the cycle. An
    ///     `EdgeWatcher` running its own thread supplies them instead.
    ///   - requests: polled once per cycle for the operator's next request.
    ///   - records: receives every record, in order; must not block or allocate (a ring push).
    ///   - enableInhibited: true while an e-stop watcher has latched: the session then never
    ///     drives the enable line active, even in the cycle before it has seen the edge itself.
    ///   - reconnectDevice: finds the machine again after link-lost (USB replug); true on success.
    ///   - writeEnable: writes the enable line, returning whether it now has that level; an
    ///     `EdgeWatcher`'s `writeMotorEnable` re-checks its latch after switching on, closing the
    ///     race with the watcher's thread.
    public init(machine: MachineSpec, device: DeviceLink, gpio: GPIOLines, now: UInt64, nonce: UInt32,
                linkConfiguration: LinkConfiguration = LinkConfiguration(),
                edges: ((inout [GPIOEdge]) -> Void)? = nil,
                enableInhibited: @escaping () -> Bool = { false },
                writeEnable: ((Bool) -> Bool)? = nil,
                reconnectDevice: @escaping () -> Bool = { false },
                requests: @escaping () -> OperatorRequest?,
                records: @escaping (ControlRecord) -> Void) {
        self.machine = machine
        self.device = device
        self.gpio = gpio
        self.records = records
        self.nextRequest = requests
        self.drainEdges = edges ?? { [gpio] buffer in try? gpio.drainEdges(into: &buffer) }
        self.enableInhibited = enableInhibited
        self.reconnectDevice = reconnectDevice
        self.nonce = nonce
        if let writeEnable {
            self.writeEnable = writeEnable
        } else {
            self.writeEnable = { [gpio] active in (try? gpio.write(.motorEnable, active: active)) != nil }
        }
        link = ReliableLink(role: .host, configuration: linkConfiguration, now: now)
        connectTimeout = max(500_000_000, 5 * linkConfiguration.linkTimeout)
        self.edges.reserveCapacity(64)
        phase = .identifying(nonce: nonce, since: now)
        pedalDown = (try? gpio.read(.pedal)) ?? false
        estopActive = (try? gpio.read(.estop)) ?? false
        cartridgePresent = (try? gpio.read(.cartridgePresent)) ?? false
        try? link.send(Handshake.request(nonce: nonce))
    }

    deinit { rx.deallocate() }

    /// The limits the device is told to enforce itself: the machine file's.
    public var deviceConfig: DeviceConfig {
        let l = machine.limits
        return DeviceConfig(
            depthMinMicrometres: UInt32(l.depthMin.micrometres), depthMaxMicrometres: UInt32(l.depthMax.micrometres),
            rateMinMillihertz: UInt32(l.rateMin.millihertz), rateMaxMillihertz: UInt32(l.rateMax.millihertz),
            depthSlewMicrometresPerSecond: UInt32(l.depthSlewMillimetresPerSecond * 1000),
            heartbeatDeadlineMilliseconds: UInt16(machine.heartbeatDeadlineMilliseconds), telemetryHertz: 500)
    }

    /// One control cycle at monotonic time `now`.
    public func cycle(now: UInt64) {
        if !cycled {
            // The identify window starts with the first cycle, not at construction: setting up the
            // real-time thread (mlockall, priorities) can take longer than the window itself.
            cycled = true
            if case .identifying(let nonce, _) = phase { phase = .identifying(nonce: nonce, since: now) }
        }
        var inputs = ControlInputs()
        // 1. GPIO edges into levels; an e-stop edge is remembered even if already released.
        edges.removeAll(keepingCapacity: true)
        drainEdges(&edges)
        for e in edges {
            switch e.role {
            case .pedal: pedalDown = e.active
            case .estop:
                estopActive = e.active
                if e.active { inputs.estopEdge = true }
            case .cartridgePresent: cartridgePresent = e.active
            default: break
            }
        }
        inputs.pedalDown = pedalDown
        inputs.estopActive = estopActive
        inputs.cartridgePresent = cartridgePresent

        // 2. Bytes from the machine.
        var reading = true
        while reading {
            do throws(LinkError) {
                let n = try device.receive(into: rx)
                if n == 0 { reading = false; break }
                link.receive(UnsafeRawBufferPointer(rebasing: rx[0..<n]), now: now) { message in
                    connectionMessage(message, now: now)
                    inputs.absorb(message)
                }
            } catch {
                lastDeviceError = error
                deviceErrors += 1
                reading = false
            }
        }
        if askAgain, case .identifying(let nonce, _) = phase {
            askAgain = false
            link.reset(now: now)
            try? link.send(Handshake.request(nonce: nonce))
        }
        if case .identifying(_, let since) = phase, now - since > connectTimeout {
            phase = .failed(.noAnswer(phase: "identify", milliseconds: connectTimeout / 1_000_000))
        } else if case .configuring(let since) = phase, now - since > connectTimeout {
            phase = .failed(.noAnswer(phase: "set_config", milliseconds: connectTimeout / 1_000_000))
        }
        if link.isDown, case .identifying = phase { phase = .failed(.linkDown) }
        if link.isDown, case .configuring = phase { phase = .failed(.linkDown) }
        inputs.linkUp = phase.isReady && !link.isDown && lastDeviceError != .disconnected
        inputs.request = nextRequest()
        if inputs.request == .reconnect {
            // Session business, not the step's. Only a machine that is gone is looked for again:
            // while the link is up or a handshake is under way a reconnect is a no-op (operators
            // press it twice, scripts repeat it). A machine not found is left to the step, which
            // refuses the request (link down) so the operator sees it.
            if deviceGone, reconnectDevice() {
                restartConnection(now: now)
                inputs.request = nil
            } else if !deviceGone {
                inputs.request = nil
            }
        }

        // 3. The step.
        let out = ControlCore.step(&state, inputs, now: now)

        // 4. Enable line first: it stops the motor even if USB is gone.
        let enable = out.motorEnable && !enableInhibited()
        if enableWritten != enable {
            // A failed write is retried next cycle; the firmware deadline is the backstop.
            enableWritten = writeEnable(enable) ? enable : nil
        }
        if ledWritten != out.statusLED {
            ledWritten = (try? gpio.write(.statusLED, active: out.statusLED)) != nil ? out.statusLED : nil
        }

        // 5. Commands, then the link's due frames to the device.
        if inputs.linkUp || phase.isReady {
            for command in out.commands {
                do { try link.send(command) } catch { commandsRefused += 1 }
            }
        }
        link.poll(now: now) { frame in
            do throws(LinkError) { try device.send(frame) } catch {
                lastDeviceError = error
                deviceErrors += 1
            }
        }

        // 6. Records to the journal.
        for r in out.records { records(r) }
        if linkRestored {
            linkRestored = false
            records(ControlRecord(kind: .linkRestored, at: now))
        }
    }

    /// The machine cannot be reached on this link any more: unplugged, the link given up after
    /// its retransmissions, or a (re)connection that failed.
    private var deviceGone: Bool {
        if case .failed = phase { return true }
        return lastDeviceError == .disconnected || link.isDown
    }

    /// A fresh handshake on a link found again: new sequence numbers, a new nonce, limits resent.
    private func restartConnection(now: UInt64) {
        lastDeviceError = nil
        reconnecting = true
        link.reset(now: now)
        nonce &+= 1
        phase = .identifying(nonce: nonce, since: now)
        try? link.send(Handshake.request(nonce: nonce))
    }

    private func connectionMessage(_ message: Message, now: UInt64) {
        switch (phase, message) {
        case (.identifying(let nonce, _), .identifyReply(let reply)):
            switch Handshake.check(reply, nonce: nonce) {
            case .success(let identity):
                state.deviceTickHertz = identity.tickHertz
                pendingIdentity = identity
                phase = .configuring(since: now)
                try? link.send(.setConfig(deviceConfig))
            case .failure(.nonce) where staleReplies < 5:
                // A reply a previous host left unacknowledged (USB keeps the device's queue across
                // host processes). Start our side afresh and ask again with the same nonce: the
                // device resets on identify and answers ours.
                // Not here: this runs inside the link's receive; the cycle restarts after it returns.
                staleReplies += 1
                askAgain = true
            case .failure(let e):
                phase = .failed(.handshake(e))
            }
        case (.configuring, .config(let c)):
            if c == deviceConfig, let id = pendingIdentity {
                phase = .ready(id)
                if reconnecting {
                    reconnecting = false
                    linkRestored = true
                }
            } else {
                phase = .failed(.configMismatch(sent: deviceConfig, received: c))
            }
        default:
            break
        }
    }

    private var pendingIdentity: DeviceIdentity?
    private var staleReplies = 0
    private var askAgain = false
    private var cycled = false
}
