import Foundation
import LedgerCore
import LedgerStore

/// Where people and scripts read what a command did.
enum Output {
    static let stderrIsTerminal = isatty(STDERR_FILENO) == 1

    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func warn(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// A progress line on a terminal, overwritten in place; nothing when standard error is piped.
    static func progress(_ text: String) {
        guard stderrIsTerminal else { return }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
    }

    static func endProgress() {
        guard stderrIsTerminal else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    /// Pretty, key-sorted JSON of any encodable value on standard output.
    static func json<T: Encodable>(_ value: T, oneLine: Bool = false) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = oneLine ? [.sortedKeys, .withoutEscapingSlashes] : [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        if let data = try? encoder.encode(value) {
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        }
    }

    /// Turns a ledger error into a command failure with exit status 2.
    static func fail(_ error: LedgerError) -> CommandFailure {
        CommandFailure(message: "error: \(error)", status: ExitStatus.failure)
    }
}

extension LedgerSession {
    /// Opens a ledger for a command, turning problems into exit-2 failures.
    static func forCommand(_ options: LedgerOptions, writing: Bool) throws -> LedgerSession {
        let session: LedgerSession
        do {
            session = try LedgerSession(ledger: options.ledger, forWriting: writing, lockTimeout: options.lockTimeout)
        } catch {
            throw Output.fail(error)
        }
        if writing, let lock = session.paths.openInSpreadsheetProgram {
            Output.warn("note: \(session.paths.ledger) is open in a spreadsheet program (\((lock as NSString).lastPathComponent)): the copy open there will be out of date — close it without saving and open it again, or, if you save it, run LedgerSync again afterwards (your edits are kept, its columns are written anew)")
        }
        return session
    }
}
