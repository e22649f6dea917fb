import Foundation
import Testing
@testable import WebhookServer

@Suite struct InboxTests {
    @Test func appendThenReadBackByteForByte() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let inbox = try Inbox(directory: dir.path)
        let pretty = Array("{\n  \"id\": \"evt_2\",\n  \"type\": \"charge.refunded\"\n}\n".utf8)
        let first = try await inbox.append(eventBody(id: "evt_1"), eventID: "evt_1", eventType: "invoice.paid")
        let second = try await inbox.append(pretty, eventID: "evt_2", eventType: "charge.refunded")
        let third = try await inbox.append([], eventID: nil)
        #expect(first == .start)
        #expect(first < second && second < third)

        let records = try inbox.records(from: .start, limit: 10)
        #expect(records.map(\.eventID) == ["evt_1", "evt_2", nil])
        #expect(records.map(\.eventType) == ["invoice.paid", "charge.refunded", nil])
        #expect(records[1].body == pretty)
        #expect(records[0].next == records[1].position)
        #expect(records[2].next == inbox.endPosition)
        #expect(try inbox.records(from: second, limit: 1).map(\.eventID) == ["evt_2"])
        #expect(inbox.position(ofEventID: "evt_2") == second)
        #expect(inbox.backlog == 3)
        inbox.close()
    }

    @Test func oneEventDeliveredManyTimesAtOnceIsStoredOnce() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let inbox = try Inbox(directory: dir.path)
        let results = try await withThrowingTaskGroup(of: (position: InboxPosition, isNew: Bool).self) { group in
            for id in ["evt_a", "evt_b"] {
                for _ in 0..<8 {
                    group.addTask { try await inbox.store(eventBody(id: id), eventID: id, eventType: "invoice.paid") }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.filter(\.isNew).count == 2, "each event stored by exactly one of its deliveries")
        #expect(Set(results.map(\.position)).count == 2, "every delivery learns where its event is")
        #expect(try inbox.records(from: .start, limit: 100).compactMap(\.eventID).sorted() == ["evt_a", "evt_b"])
        let again = try await inbox.store(eventBody(id: "evt_a"), eventID: "evt_a")
        #expect(!again.isNew && again.position == inbox.position(ofEventID: "evt_a"))
        inbox.close()
    }

    @Test func tornTailIsCutOffOnReopen() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var inbox: Inbox? = try Inbox(directory: dir.path)
        for index in 0..<5 {
            _ = try await inbox?.append(eventBody(id: "evt_\(index)"), eventID: "evt_\(index)", eventType: "invoice.paid")
        }
        let lastStart = try #require(inbox?.position(ofEventID: "evt_4"))
        let fullSize = try #require(inbox?.endPosition.offset)
        inbox?.close()
        inbox = nil

        // A crash in the middle of writing the last record: keep half of it.
        let journal = dir.path + "/inbox.log"
        let cut = lastStart.offset + (fullSize - lastStart.offset) / 2
        #expect(truncate(journal, off_t(cut)) == 0)

        let reopened = try Inbox(directory: dir.path)
        let records = try reopened.records(from: .start, limit: 100)
        #expect(records.map(\.eventID) == ["evt_0", "evt_1", "evt_2", "evt_3"])
        #expect(reopened.endPosition == lastStart)
        #expect(reopened.position(ofEventID: "evt_4") == nil)
        let size = try FileManager.default.attributesOfItem(atPath: journal)[.size] as? UInt64
        #expect(size == lastStart.offset, "the torn bytes are removed from the file")

        // Appending after recovery continues cleanly where the complete records end.
        let again = try await reopened.append(eventBody(id: "evt_4"), eventID: "evt_4", eventType: "invoice.paid")
        #expect(again == lastStart)
        reopened.close()
    }

    @Test func tornHeaderAndZeroFilledTailAreCutOff() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let inbox = try Inbox(directory: dir.path)
        _ = try await inbox.append(eventBody(id: "evt_a"), eventID: "evt_a")
        let end = inbox.endPosition.offset
        inbox.close()

        let journal = dir.path + "/inbox.log"
        let handle = try #require(FileHandle(forWritingAtPath: journal))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([0x4C, 0x53, 0x49]))  // three bytes of a header
        try handle.close()
        let afterHeader = try Inbox(directory: dir.path)
        #expect(afterHeader.count == 1 && afterHeader.endPosition.offset == end)
        afterHeader.close()

        #expect(truncate(journal, off_t(end + 4096)) == 0)  // file extended with zeros
        let afterZeros = try Inbox(directory: dir.path)
        #expect(afterZeros.count == 1 && afterZeros.endPosition.offset == end)
        afterZeros.close()
    }

    @Test func damageBeforeTheEndIsReportedNotSkipped() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let inbox = try Inbox(directory: dir.path)
        for index in 0..<3 { _ = try await inbox.append(eventBody(id: "evt_\(index)"), eventID: "evt_\(index)") }
        let second = try #require(inbox.position(ofEventID: "evt_1"))
        inbox.close()

        // Flip one body byte of the middle record.
        let journal = dir.path + "/inbox.log"
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: journal)))
        bytes[Int(second.offset) + 30] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: journal))

        let error = #expect(throws: InboxError.self) { try Inbox(directory: dir.path) }
        #expect(error?.kind == .corrupt && error?.offset == second.offset)
    }

    @Test func appliedPositionSurvivesReopen() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let inbox = try Inbox(directory: dir.path)
        for index in 0..<4 { _ = try await inbox.append(eventBody(id: "evt_\(index)"), eventID: "evt_\(index)") }
        let firstTwo = try inbox.records(from: .start, limit: 2)
        try inbox.markApplied(upTo: try #require(firstTwo.last).next)
        #expect(inbox.backlog == 2)
        #expect(throws: InboxError.self) { try inbox.markApplied(upTo: InboxPosition(offset: 3)) }
        inbox.close()

        let reopened = try Inbox(directory: dir.path)
        #expect(reopened.appliedPosition == firstTwo[1].next)
        #expect(reopened.backlog == 2)
        let rest = try reopened.records(from: reopened.appliedPosition, limit: 100)
        #expect(rest.map(\.eventID) == ["evt_2", "evt_3"])
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/applied.tmp"))
        reopened.close()
    }

    @Test func secondOpenOfTheSameInboxIsRefused() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let inbox = try Inbox(directory: dir.path)
        let error = #expect(throws: InboxError.self) { try Inbox(directory: dir.path) }
        #expect(error?.kind == .locked)
        inbox.close()
        // Closing releases the lock.
        let again = try Inbox(directory: dir.path)
        again.close()
    }

    @Test func appendAfterCloseFails() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let inbox = try Inbox(directory: dir.path)
        inbox.close()
        await #expect(throws: InboxError.self) { try await inbox.append([1], eventID: nil) }
        #expect(!inbox.isAcceptingAppends)
    }

    @Test func groupCommitOfConcurrentAppends() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let inbox = try Inbox(directory: dir.path)
        let count = 1000
        let positions = try await withThrowingTaskGroup(of: (Int, InboxPosition).self) { group in
            for index in 0..<count {
                group.addTask {
                    let id = "evt_\(index)"
                    return (index, try await inbox.append(eventBody(id: id), eventID: id, eventType: "invoice.paid"))
                }
            }
            var positions: [Int: InboxPosition] = [:]
            for try await (index, position) in group { positions[index] = position }
            return positions
        }
        #expect(positions.count == count)
        #expect(Set(positions.values).count == count, "every append got its own position")
        #expect(inbox.count == count)
        #expect(inbox.committedBatchCount < count, "appends were committed in shared batches")

        let records = try inbox.records(from: .start, limit: count + 10)
        #expect(records.count == count)
        let ids = records.compactMap(\.eventID)
        #expect(Set(ids) == Set((0..<count).map { "evt_\($0)" }) && ids.count == count)
        for record in records {
            let id = try #require(record.eventID)
            #expect(record.body == eventBody(id: id))
            #expect(positions[Int(id.dropFirst(4)) ?? -1] == record.position)
        }
        inbox.close()

        let reopened = try Inbox(directory: dir.path)
        #expect(reopened.count == count)
        reopened.close()
    }

    @Test func failuresAreKeptInFailedJournal() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let inbox = try Inbox(directory: dir.path)
        let position = try await inbox.append(eventBody(id: "evt_x"), eventID: "evt_x", eventType: "payout.paid")
        try inbox.recordFailures([ApplyFailure(position: position, eventID: "evt_x", eventType: "payout.paid", reason: "no such invoice")])
        let text = try String(contentsOfFile: dir.path + "/failed.jsonl", encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["eventID"] as? String == "evt_x")
        #expect(object["reason"] as? String == "no such invoice")
        #expect(object["position"] as? Int == 0)
        inbox.close()
    }
}

@Suite struct InboxEmptyingTests {
    @Test func aFullyAppliedInboxIsEmptiedOnOpenAndKeepsWorking() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var inbox: Inbox? = try Inbox(directory: dir.path, emptyWhenAppliedAbove: 100)
        for index in 0..<5 {
            _ = try await inbox?.append(eventBody(id: "evt_\(index)"), eventID: "evt_\(index)", eventType: "invoice.paid")
        }
        let end = try #require(inbox?.endPosition)
        // Not yet applied: kept on reopen.
        inbox?.close()
        inbox = try Inbox(directory: dir.path, emptyWhenAppliedAbove: 100)
        #expect(inbox?.endPosition == end)
        try inbox?.markApplied(upTo: end)
        inbox?.close()

        // Everything applied and past the threshold: emptied.
        let reopened = try Inbox(directory: dir.path, emptyWhenAppliedAbove: 100)
        #expect(reopened.endPosition == .start)
        #expect(reopened.appliedPosition == .start)
        #expect(reopened.backlog == 0)
        let size = try FileManager.default.attributesOfItem(atPath: dir.path + "/inbox.log")[.size] as? UInt64
        #expect(size == 0)
        // A redelivered event is stored again (the ledger's journal recognises it when applied).
        let again = try await reopened.append(eventBody(id: "evt_1"), eventID: "evt_1", eventType: "invoice.paid")
        #expect(again == .start)
        #expect(try reopened.records(from: .start, limit: 10).map(\.eventID) == ["evt_1"])
        reopened.close()
    }

    @Test func anInboxWithFailedEventsOrUnderTheThresholdIsKept() async throws {
        for failed in [true, false] {
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let inbox = try Inbox(directory: dir.path, emptyWhenAppliedAbove: failed ? 100 : 1 << 20)
            for index in 0..<5 {
                _ = try await inbox.append(eventBody(id: "evt_\(index)"), eventID: "evt_\(index)", eventType: "invoice.paid")
            }
            let end = inbox.endPosition
            if failed { try "{\"position\":0}\n".write(toFile: dir.path + "/failed.jsonl", atomically: true, encoding: .utf8) }
            try inbox.markApplied(upTo: end)
            inbox.close()
            let reopened = try Inbox(directory: dir.path, emptyWhenAppliedAbove: failed ? 100 : 1 << 20)
            #expect(reopened.endPosition == end)
            #expect(reopened.appliedPosition == end)
            reopened.close()
        }
    }
}
