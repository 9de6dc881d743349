import StippleWire

/// A fixed-capacity list kept inline, so a control cycle's outputs never touch the heap.
public struct BoundedList<Element>: Sequence {
    public static var capacity: Int { 8 }
    private var storage: InlineArray<8, Element?> = .init(repeating: nil)
    public private(set) var count = 0
    /// Elements that did not fit (a bug in the step if ever non-zero; tests assert it stays 0).
    public private(set) var overflowed = 0

    public init() {}

    public mutating func append(_ e: Element) {
        guard count < Self.capacity else { overflowed += 1; return }
        storage[count] = e
        count += 1
    }

    public subscript(i: Int) -> Element { storage[i]! }

    public struct Iterator: IteratorProtocol {
        let list: BoundedList
        var index = 0
        public mutating func next() -> Element? {
            guard index < list.count else { return nil }
            defer { index += 1 }
            return list[index]
        }
    }

    public func makeIterator() -> Iterator { Iterator(list: self) }

    public var isEmpty: Bool { count == 0 }
}

/// What one control step asks the shell to do, in this order: set the enable line, send the
/// commands, hand the records to the journal ring.
public struct ControlOutputs {
    public var motorEnable = false
    public var statusLED = false
    public var commands = BoundedList<Message>()
    public var records = BoundedList<ControlRecord>()

    public init() {}
}
