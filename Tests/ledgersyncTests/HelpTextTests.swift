import ArgumentParser
import Testing
@testable import ledgersync

/// `--help` is wrapped by ArgumentParser to the terminal's width (80 columns when piped). A paragraph
/// broken by hand in the source comes out ragged — a full line, then a stub — so each paragraph must
/// be one line of the discussion (`\` continuations in the source), and each indented example line
/// must fit in 80 columns, where ArgumentParser would break it without its indentation.
struct HelpTextTests {
    static let commands: [any ParsableCommand.Type] = [LedgerSync.self] + LedgerSync.configuration.subcommands

    @Test(arguments: commands.map { ($0._commandName, $0.configuration.discussion) })
    func discussionParagraphsAreWholeLinesAndExamplesFit(name: String, discussion: String) {
        let lines = discussion.split(separator: "\n", omittingEmptySubsequences: false)
        for (i, line) in lines.enumerated() {
            if line.hasPrefix("  ") {
                #expect(line.count <= 80, "\(name) --help: example line longer than 80 columns: \(line)")
            } else if !line.isEmpty, i + 1 < lines.count {
                let next = lines[i + 1]
                #expect(next.isEmpty || next.hasPrefix("  "),
                        "\(name) --help: a paragraph is broken by hand after \"\(line.suffix(30))\"; end the source line with \\ instead")
            }
        }
    }
}
