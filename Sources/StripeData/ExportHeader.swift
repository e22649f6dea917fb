/// A recognised export header: which export it is and where each column LedgerSync reads sits.
struct ExportHeader: Sendable {
    let kind: ExportKind
    /// Field → 0-based column.
    let index: [ExportField: Int]
    /// Field → the header cell as written, for problems.
    let names: [ExportField: String]
    /// Metadata columns holding an invoice reference (`invoice_number (metadata)`,
    /// `payment_metadata[invoice_number]`), in the priority order of the reference keys.
    let referenceColumns: [Int]

    /// Compares header names the lenient way: lowercase letters and digits only, so
    /// `Created (UTC)`, `created_utc` and `CREATED UTC` are one name.
    static func normalise(_ name: String) -> String {
        var out = ""
        out.reserveCapacity(name.utf8.count)
        for scalar in name.unicodeScalars {
            switch scalar.value {
            case 0x30...0x39, 0x61...0x7A: out.unicodeScalars.append(scalar)
            case 0x41...0x5A: out.unicodeScalars.append(Unicode.Scalar(scalar.value + 0x20)!)
            default: continue
            }
        }
        return out
    }

    /// The metadata key a header cell names: `key (metadata)`, `payment_metadata[key]`, `metadata[key]`.
    static func metadataKey(_ cell: String) -> String? {
        let trimmed = cell.trimmingASCIIWhitespace()
        let lower = trimmed.lowercased()
        if lower.hasSuffix("(metadata)") {
            return String(trimmed.dropLast("(metadata)".count)).trimmingASCIIWhitespace()
        }
        for prefix in ["payment_metadata[", "metadata[", "charge_metadata["] where lower.hasPrefix(prefix) && lower.hasSuffix("]") {
            return String(trimmed.dropFirst(prefix.count).dropLast())
        }
        return nil
    }

    /// Finds the export a header row belongs to: every required column (and one of each group) must
    /// be present; when several exports fit, the one with the most known columns wins.
    ///
    /// - Returns: the header, or the message of an `.unknownExport` problem listing what was looked for.
    static func recognise(_ header: [String], referenceKeys: [String]) -> Result<ExportHeader, UnknownExport> {
        var positions: [String: Int] = [:]
        for (i, cell) in header.enumerated() {
            let key = normalise(cell.replacingBOM())
            if positions[key] == nil { positions[key] = i }
        }
        var best: (kind: ExportKind, known: Int, index: [ExportField: Int])?
        var closest: (kind: ExportKind, missing: [String])?
        for kind in ExportKind.allCases {
            var index: [ExportField: Int] = [:]
            var missing: [String] = []
            var groups: [String: Bool] = [:]
            for column in kind.columns {
                let found = column.names.lazy.compactMap { positions[normalise($0)] }.first
                if let found, index[column.field] == nil { index[column.field] = found }
                if let group = column.group {
                    groups[group, default: false] = groups[group, default: false] || found != nil
                } else if column.required && found == nil {
                    missing.append(column.names[0])
                }
            }
            for (group, present) in groups.sorted(by: { $0.key < $1.key }) where !present { missing.append(group) }
            if missing.isEmpty {
                if best == nil || index.count > best!.known { best = (kind, index.count, index) }
            } else if closest == nil || missing.count < closest!.missing.count {
                closest = (kind, missing)
            }
        }
        guard let best else {
            return .failure(UnknownExport(closest: closest?.kind, missing: closest?.missing ?? []))
        }
        var names: [ExportField: String] = [:]
        for (field, i) in best.index { names[field] = header[i].trimmingASCIIWhitespace() }
        var references: [Int] = []
        for key in referenceKeys {
            for (i, cell) in header.enumerated() {
                if let k = metadataKey(cell), k.lowercased() == key.lowercased() { references.append(i) }
            }
        }
        return .success(ExportHeader(kind: best.kind, index: best.index, names: names, referenceColumns: references))
    }

    /// What an unrecognised header lacked, for the problem message.
    struct UnknownExport: Error {
        var closest: ExportKind?
        var missing: [String]

        var message: String {
            let lookedFor = ExportKind.allCases.map { kind -> String in
                var needed: [String] = []
                var groups: [String] = []
                for column in kind.columns {
                    if let group = column.group {
                        if !groups.contains(group) { groups.append(group) }
                    } else if column.required {
                        needed.append(column.names[0])
                    }
                }
                return "\(kind.title) (\((needed + groups).joined(separator: ", ")))"
            }.joined(separator: "; ")
            var text = "not a Stripe export LedgerSync reads: its header row matches none of: \(lookedFor)"
            if let closest, !missing.isEmpty {
                text += ". Closest: \(closest.title), which lacks \(missing.joined(separator: ", "))"
            }
            return text + " — export it again from the Stripe Dashboard with these columns, or give Stripe JSON"
        }
    }
}

extension String {
    /// The text without a leading byte order mark (a header cell of a file saved by Excel).
    func replacingBOM() -> String {
        first == "\u{FEFF}" ? String(dropFirst()) : self
    }
}
