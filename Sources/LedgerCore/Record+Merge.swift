extension Record {
    /// Merges two snapshots of the same object (placeholder: replaced by the merge-by-rank engine).
    public func merged(with other: Record) -> Record { self }
}
