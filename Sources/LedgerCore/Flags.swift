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
    static func resolve(notes: [Flag: [String]], acceptances: [Acceptance], prefix: String = "") -> (flag: Flag?, detail: String) {
        let present = notes.keys.sorted()
        func isAccepted(_ f: Flag) -> Bool {
            guard f != .invalidRow else { return false }
            return acceptances.contains { $0.flag == nil || $0.flag == f }
        }
        let open = present.filter { !isAccepted($0) }
        let accepted = present.filter { isAccepted($0) }
        var parts: [String] = []
        if !prefix.isEmpty { parts.append(prefix) }
        for (i, f) in open.enumerated() {
            let text = (notes[f] ?? []).joined(separator: " ")
            parts.append(i == 0 ? text : "Also \(f.rawValue): \(text)")
        }
        for f in accepted {
            let note = acceptances.last { $0.flag == f }?.note ?? acceptances.last { $0.flag == nil }?.note ?? ""
            let text = (notes[f] ?? []).joined(separator: " ")
            parts.append("Accepted \(f.rawValue): \(note.isEmpty ? "no note" : note) (was: \(text))")
        }
        return (open.first, parts.joined(separator: " "))
    }
}
