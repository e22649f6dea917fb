import Dispatch

/// `transform` applied to every item at the same time, one item per thread (one after another on this
/// thread when `concurrently` is false), in the items' order. Once all have finished, the error of the
/// first item, in order, that failed is rethrown. `transform` must not touch mutable state shared between
/// items.
///
/// ```swift
/// let tables = try concurrentMap([invoicesPath, paymentsPath]) { try CSV.read(path: $0) }
/// ```
public func concurrentMap<Item, Value, Failure: Error>(_ items: [Item], concurrently: Bool = true,
                                                       _ transform: (Item) throws(Failure) -> Value) throws(Failure) -> [Value] {
    guard concurrently, items.count > 1 else { return try items.map(transform) }
    // Each iteration writes only its own slot; the array of slots itself is only read.
    let slots = items.map { _ in Slot<Value, Failure>() }
    withoutActuallyEscaping(transform) { transform in
        let work = Work(items: items, transform: transform, slots: slots)
        DispatchQueue.concurrentPerform(iterations: items.count) { work.run($0) }
    }
    return try slots.map { slot throws(Failure) in try slot.outcome!.get() }
}

/// Runs `jobs` at the same time, one per thread, like `concurrentMap`; what they produce is read after
/// this returns.
///
/// ```swift
/// var invoices: Table?, payments: Table?
/// try runConcurrently([{ invoices = try read(a) }, { payments = try read(b) }])
/// ```
public func runConcurrently<Failure: Error>(_ jobs: [() throws(Failure) -> Void], concurrently: Bool = true) throws(Failure) {
    _ = try concurrentMap(jobs, concurrently: concurrently) { job throws(Failure) in try job() }
}

/// One item's outcome, written by the one thread that handles the item.
private final class Slot<Value, Failure: Error>: @unchecked Sendable {
    var outcome: Result<Value, Failure>?
}

/// What the threads of `concurrentMap` share: read-only, apart from each thread's own slot.
private struct Work<Item, Value, Failure: Error>: @unchecked Sendable {
    let items: [Item]
    let transform: (Item) throws(Failure) -> Value
    let slots: [Slot<Value, Failure>]

    func run(_ index: Int) {
        slots[index].outcome = Result { () throws(Failure) in try transform(items[index]) }
    }
}

/// Runs `produce` on another thread and `consume` on this one, each item handed over as soon as it is
/// made, so making the next item overlaps using the last. At most `depth` items wait at once, so memory
/// stays bounded when consuming is slower. Returns what `produce` returns, after both have finished.
///
/// ```swift
/// let summary = pipelined(produce: { send in parseFile(path, batches: send) }, consume: { apply($0) })
/// ```
public func pipelined<Item, Outcome>(depth: Int = 2, produce: (_ send: (Item) -> Void) -> Outcome,
                                     consume: (Item) -> Void) -> Outcome {
    let channel = Channel<Item>(depth: depth)
    return withoutActuallyEscaping(produce) { produce in
        let producer = BackgroundTask<Outcome, Never> {
            defer { channel.close() }
            return produce(channel.send)
        }
        while let item = channel.receive() { consume(item) }
        return producer.wait()
    }
}

/// Work started on another thread now, its outcome taken later with `wait()`; the caller goes on
/// meanwhile.
///
/// ```swift
/// let state = BackgroundTask { () throws(LedgerError) in try prepareStateFile() }
/// … write the tables …
/// try state.wait().replace()
/// ```
public final class BackgroundTask<Value, Failure: Error>: @unchecked Sendable {
    private let done = DispatchGroup()
    /// Set here, run and dropped by the worker before it leaves `done`: nothing it captured outlives the
    /// work (so a caller may hand in a closure made with `withoutActuallyEscaping`).
    private var work: (() throws(Failure) -> Value)?
    /// Written once by the worker before it leaves `done`; read only after waiting on `done`.
    private var outcome: Result<Value, Failure>?

    public init(_ work: @escaping () throws(Failure) -> Value) {
        self.work = work
        done.enter()
        DispatchQueue.global().async { [self] in
            outcome = Result { () throws(Failure) in try self.work!() }
            self.work = nil
            done.leave()
        }
    }

    /// Waits for the work to finish. - Throws: what the work threw.
    public func wait() throws(Failure) -> Value {
        done.wait()
        return try outcome!.get()
    }
}

/// Items passed from one thread to another, at most `depth` waiting.
private final class Channel<Item>: @unchecked Sendable {
    private let free: DispatchSemaphore
    private let ready = DispatchSemaphore(value: 0)
    private let lock = DispatchQueue(label: "ledgersync.channel")
    /// nil marks the end.
    private var queue: [Item?] = []

    init(depth: Int) { free = DispatchSemaphore(value: max(1, depth)) }

    func send(_ item: Item) {
        free.wait()
        lock.sync { queue.append(item) }
        ready.signal()
    }

    func close() {
        lock.sync { queue.append(nil) }
        ready.signal()
    }

    func receive() -> Item? {
        ready.wait()
        let item = lock.sync { queue.removeFirst() }
        if item != nil { free.signal() }
        return item
    }
}
