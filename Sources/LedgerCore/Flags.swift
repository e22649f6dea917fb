/// Turning the flags a row or payment collected into one `flag` and one `flag_detail` (DESIGN.md §5),
/// and applying a person's acceptances.
enum FlagText {
    /// What a person accepted on one target: a specific flag, or (`nil`) every flag it has now.
    struct Acceptance: Equatable {
        var flag: Flag?
        var note: String
    }

    /// The most serious open flag and a sentence naming it and the others.
    ///
    /// An accepted flag no longer shows in `flag`; `flag_detail` then says
    /// "Accepted <flag>: <note>." followed by what was accepted, so a reader sees the acceptance.
    /// `invalid_row` cannot be accepted: the row must be fixed.
    static func resolve(notes: FlagNotes, acceptances: [Acceptance], prefix: String = "") -> (flag: Flag?, detail: String) {
        // The common case — one sentence, nothing accepted — is that sentence, shared rather than rebuilt.
        if prefix.isEmpty, acceptances.isEmpty, let only = notes.only { return (only.flag, only.sentence) }
        let present = notes.flags
        func isAccepted(_ f: Flag) -> Bool {
            guard f != .invalidRow else { return false }
            return acceptances.contains { $0.flag == nil || $0.flag == f }
        }
        let open = present.filter { !isAccepted($0) }
        let accepted = present.filter { isAccepted($0) }
        var parts: [String] = []
        if !prefix.isEmpty { parts.append(prefix) }
        for (i, f) in open.enumerated() {
            let text = notes.sentences(f).joined(separator: " ")
            parts.append(i == 0 ? text : "Also \(f.rawValue): \(text)")
        }
        for f in accepted {
            let note = acceptances.last { $0.flag == f }?.note ?? acceptances.last { $0.flag == nil }?.note ?? ""
            let text = notes.sentences(f).joined(separator: " ")
            parts.append("Accepted \(f.rawValue): \(note.isEmpty ? "no note" : note) (was: \(text))")
        }
        return (open.first, parts.joined(separator: " "))
    }
}

/// The sentences behind the flags of one row or payment: each flag's in the order they arose, none twice.
///
/// Most payments carry exactly one (an unmatched payment says why), so the first is kept inline: a
/// dictionary of arrays cost every flagged payment two allocations, and a large import has hundreds
/// of thousands of them.
struct FlagNotes {
    typealias Note = (flag: Flag, sentence: String)
    private var first: Note?
    private var others: [Note] = []

    var isEmpty: Bool { first == nil }

    /// The one note, when there is exactly one.
    var only: Note? { others.isEmpty ? first : nil }

    func has(_ flag: Flag) -> Bool {
        first?.flag == flag || others.contains { $0.flag == flag }
    }

    /// Adds a sentence to a flag, unless that flag already has it.
    mutating func note(_ flag: Flag, _ sentence: String) {
        guard let head = first else {
            first = (flag, sentence)
            return
        }
        if head.flag == flag && head.sentence == sentence { return }
        if others.contains(where: { $0.flag == flag && $0.sentence == sentence }) { return }
        others.append((flag, sentence))
    }

    /// Drops the sentences of `flag` (those `matching` says, by default all): what they said is no longer true.
    mutating func remove(_ flag: Flag, matching: (String) -> Bool = { _ in true }) {
        let kept = ([first].compactMap { $0 } + others).filter { $0.flag != flag || !matching($0.sentence) }
        first = kept.first
        others = Array(kept.dropFirst())
    }

    /// The flags noted, in ``Flag``'s order.
    var flags: [Flag] {
        guard let head = first else { return [] }
        var list = [head.flag]
        for note in others where !list.contains(note.flag) { list.append(note.flag) }
        return list.sorted()
    }

    /// One flag's sentences, in the order they arose.
    func sentences(_ flag: Flag) -> [String] {
        guard let head = first else { return [] }
        return (head.flag == flag ? [head.sentence] : []) + others.filter { $0.flag == flag }.map(\.sentence)
    }
}
