#if canImport(Glibc)
import Glibc
#endif

/// The checks the loop's and the e-stop watcher's thread settings share: both ask for a
/// SCHED_FIFO priority, an optional CPU and an optional wake-up latency limit.
enum ThreadSettingsCheck {
    static func validate(priority: Int32?, cpu: Int32?, cpuLatencyLimitMicroseconds: Int32?) throws(RealTimeError) {
        if let p = priority {
            let range = sched_get_priority_min(Int32(SCHED_FIFO))...sched_get_priority_max(Int32(SCHED_FIFO))
            guard range.contains(p) else {
                throw .invalidConfiguration(
                    field: "priority", value: "\(p)",
                    reason: "SCHED_FIFO priorities run \(range.lowerBound)-\(range.upperBound); nil runs at normal priority")
            }
        }
        if let cpu, cpu < 0 {
            throw .invalidConfiguration(
                field: "cpu", value: "\(cpu)", reason: "CPUs are numbered from 0; nil lets the scheduler choose")
        }
        if let limit = cpuLatencyLimitMicroseconds, limit < 0 {
            throw .invalidConfiguration(
                field: "cpuLatencyLimitMicroseconds", value: "\(limit)",
                reason: "a wake-up latency limit is 0 µs or more; nil asks for none")
        }
    }
}
