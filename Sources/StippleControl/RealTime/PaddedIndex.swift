import Synchronization

/// One ring index alone on a 128-byte span: two cache lines, because x86 prefetches line pairs.
@usableFromInline
struct PaddedIndex: ~Copyable {
    @usableFromInline let value = Atomic<Int>(0)
    let padding: (Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    @usableFromInline init() {}
}
