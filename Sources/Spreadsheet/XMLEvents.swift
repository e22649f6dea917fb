import CLibXML2
import Foundation

/// An element or attribute name as libxml2 reports it: the local part (`x:c` → `c`), as
/// NUL-terminated UTF-8 that is valid only during the callback.
struct XMLName {
    let pointer: UnsafePointer<UInt8>

    static func == (name: XMLName, literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        let expected = literal.utf8Start
        for i in 0..<count where name.pointer[i] != expected[i] { return false }
        return name.pointer[count] == 0
    }

    /// Lets `switch name { case "c": … }` compare bytes, without making a `String`.
    static func ~= (pattern: StaticString, name: XMLName) -> Bool { name == pattern }
}

/// The attributes of one start tag, as libxml2's SAX2 interface hands them over: five pointers per
/// attribute (local name, prefix, namespace, value start, value end). Values have their character
/// and predefined entity references already replaced; like names, they live only during the callback.
struct XMLAttributes {
    let base: UnsafeMutablePointer<UnsafePointer<UInt8>?>?
    let count: Int

    /// The raw UTF-8 value of the attribute with this local name (`r:id` is found as `id`).
    func bytes(_ name: StaticString) -> UnsafeBufferPointer<UInt8>? {
        guard let base else { return nil }
        for i in 0..<count {
            let entry = base + 5 * i
            guard let local = entry[0], XMLName(pointer: local) == name, let start = entry[3], let end = entry[4] else { continue }
            return UnsafeBufferPointer(start: start, count: end - start)
        }
        return nil
    }

    /// The attribute's text. libxml2 (entities not substituted, as they must not be here) hands an
    /// `&amp;` over as `&#38;`: that is turned back into the `&` it stands for (`P&amp;L` → `P&L`).
    func string(_ name: StaticString) -> String? {
        bytes(name).map { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            return bytes.contains(UInt8(ascii: "&")) ? text.replacingOccurrences(of: "&#38;", with: "&") : text
        }
    }

    /// A non-negative decimal attribute (`s="12"`, `r="40"`); nil when absent or not all digits.
    func integer(_ name: StaticString) -> Int? {
        guard let value = bytes(name) else { return nil }
        return XMLAttributes.integer(value)
    }

    static func integer<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var n = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            n = n * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return n
    }
}

/// Whether raw UTF-8 spells `literal` exactly.
func bytesEqual(_ bytes: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
    bytes.count == literal.utf8CodeUnitCount && bytes.elementsEqual(UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
}

/// A SAX handler for one XML part of a workbook (XLSXParts.swift). It records the first problem in
/// `failure` and stops the parse with `events.stop()`.
protocol XLSXPartHandler: AnyObject {
    var failure: XLSXError? { get }
    func start(_ name: XMLName, _ attributes: XMLAttributes, _ events: XMLEvents)
    func end(_ name: XMLName, _ events: XMLEvents)
    /// Text between tags, in pieces: one text node may arrive in several calls.
    func characters(_ text: UnsafeBufferPointer<UInt8>)
}

extension XLSXPartHandler {
    var failure: XLSXError? { nil }
    func end(_ name: XMLName, _ events: XMLEvents) {}
    func characters(_ text: UnsafeBufferPointer<UInt8>) {}
}

/// Runs libxml2's SAX2 push parser over one XML part and hands each event to a handler.
///
/// libxml2 is the parser Foundation's `XMLParser` wraps; called directly, an element costs a few
/// byte comparisons instead of Swift strings and an attribute dictionary per event, which is most of
/// the time of reading a large sheet. Safe for untrusted files: no DTD is loaded, no entity but the
/// predefined ones and character references is expanded, nothing is fetched from the network, and
/// libxml2's messages go to the caller, never to standard error.
final class XMLEvents {
    /// How a parse ended.
    struct Outcome {
        var wellFormed: Bool
        /// libxml2's first error and the line it was found on, when not well-formed.
        var message: String?
        var line: Int
    }

    private let handler: any XLSXPartHandler
    private var context: xmlParserCtxtPtr?
    private var stopped = false
    private var firstError: (message: String, line: Int)?

    private init(handler: any XLSXPartHandler) {
        self.handler = handler
    }

    /// Stops the parse after the current event (the handler has recorded why).
    func stop() {
        stopped = true
        if let context { xmlStopParser(context) }
    }

    /// xmlInitParser must run once before parsers are used from several threads.
    private static let initialized: Bool = {
        xmlInitParser()
        return true
    }()

    /// Parses `data` (fed in pieces, so any size works) into `handler`.
    static func parse(_ data: Data, into handler: any XLSXPartHandler) -> Outcome {
        precondition(initialized)
        let events = XMLEvents(handler: handler)
        var sax = xmlSAXHandler()
        sax.initialized = UInt32(XML_SAX2_MAGIC)
        sax.startElementNs = onStart
        sax.endElementNs = onEnd
        sax.characters = onCharacters
        sax.ignorableWhitespace = onCharacters
        sax.cdataBlock = onCharacters
        sax.serror = onError
        let user = Unmanaged.passUnretained(events).toOpaque()
        guard let context = xmlCreatePushParserCtxt(&sax, user, nil, 0, nil) else {
            return Outcome(wellFormed: false, message: "libxml2 could not start a parser (out of memory)", line: 0)
        }
        defer {
            events.context = nil
            xmlFreeParserCtxt(context)
        }
        events.context = context
        _ = xmlCtxtUseOptions(context, Int32(XML_PARSE_NONET.rawValue))
        let piece = 1 << 22
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < raw.count, !events.stopped {
                let n = min(piece, raw.count - offset)
                let bytes = raw.baseAddress!.advanced(by: offset).assumingMemoryBound(to: CChar.self)
                guard xmlParseChunk(context, bytes, Int32(n), 0) == 0 else { return }
                offset += n
            }
            if !events.stopped { _ = xmlParseChunk(context, nil, 0, 1) }
        }
        let wellFormed = context.pointee.wellFormed != 0 && events.firstError == nil
        return Outcome(wellFormed: wellFormed || events.stopped, message: events.firstError?.message,
                       line: events.firstError?.line ?? Int(xmlSAX2GetLineNumber(context)))
    }

    private static func from(_ user: UnsafeMutableRawPointer?) -> XMLEvents {
        Unmanaged<XMLEvents>.fromOpaque(user!).takeUnretainedValue()
    }

    private static let onStart: startElementNsSAX2Func = { user, localName, _, _, _, _, count, _, attributes in
        guard let localName else { return }
        let events = XMLEvents.from(user)
        events.handler.start(XMLName(pointer: localName), XMLAttributes(base: attributes, count: Int(count)), events)
    }

    private static let onEnd: endElementNsSAX2Func = { user, localName, _, _ in
        guard let localName else { return }
        let events = XMLEvents.from(user)
        events.handler.end(XMLName(pointer: localName), events)
    }

    private static let onCharacters: charactersSAXFunc = { user, text, length in
        guard let text, length > 0 else { return }
        XMLEvents.from(user).handler.characters(UnsafeBufferPointer(start: text, count: Int(length)))
    }

    private static let onError: xmlStructuredErrorFunc = { user, error in
        guard let error, error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
        let events = XMLEvents.from(user)
        guard events.firstError == nil else { return }
        let message = error.pointee.message.map { String(cString: $0).trimmingCharacters(in: .whitespacesAndNewlines) } ?? "unknown error"
        events.firstError = (message, Int(error.pointee.line))
    }
}
