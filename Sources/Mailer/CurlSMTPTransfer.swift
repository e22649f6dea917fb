import CCurl
import Foundation

// Every raw libcurl call of LedgerSync is in this file. Contracts quoted from libcurl's man pages
// (libcurl 7.88, Debian bookworm). CURLcode values are translated once, into `CurlSMTPTransfer.Outcome`,
// which `SMTPSender` classifies.

/// `curl_global_init(CURL_GLOBAL_DEFAULT)`: "must be called at least once within a program before the
/// program calls any other function in libcurl"; not thread-safe before 7.84, so it runs once, in this
/// lazily initialised global (Swift initialises globals exactly once, thread-safely).
private let curlGlobalInit: Int = {
    let code = curl_global_init(Int(CURL_GLOBAL_DEFAULT))
    return Int(code.rawValue)
}()

/// The bytes being uploaded and how far libcurl has read them; reached from the read callback through
/// `CURLOPT_READDATA`. Used by one transfer on one thread at a time.
private final class UploadSource {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }
}

/// `CURLOPT_READFUNCTION` callback: "size_t read_callback(char *buffer, size_t size, size_t nitems,
/// void *userdata)" — copy at most `size * nitems` bytes into `buffer` and return how many were copied;
/// returning 0 signals the end of the upload. For SMTP, libcurl then sends the terminating `CRLF.CRLF`
/// and performs dot-stuffing of the body itself.
private func uploadReadCallback(
    _ buffer: UnsafeMutablePointer<CChar>?, _ size: Int, _ nitems: Int, _ userdata: UnsafeMutableRawPointer?
) -> Int {
    guard let buffer, let userdata else { return 0 }
    let source = Unmanaged<UploadSource>.fromOpaque(userdata).takeUnretainedValue()
    let count = min(size * nitems, source.bytes.count - source.offset)
    guard count > 0 else { return 0 }
    source.bytes.withUnsafeBytes { raw in
        if let base = raw.baseAddress {
            UnsafeMutableRawPointer(buffer).copyMemory(from: base + source.offset, byteCount: count)
        }
    }
    source.offset += count
    return count
}

/// One SMTP transfer: owns a `CURL*` easy handle and the `curl_slist` of recipients, both freed in `deinit`.
final class CurlSMTPTransfer {
    /// What one attempt ended with, before classification.
    struct Outcome: Sendable, Equatable {
        /// The `CURLcode` (0 = CURLE_OK).
        var code: Int
        /// The last SMTP reply code (`CURLINFO_RESPONSE_CODE`), 0 when the server never answered.
        var replyCode: Int
        /// `CURLOPT_ERRORBUFFER` text, or `curl_easy_strerror(code)` when that is empty.
        var detail: String

        var succeeded: Bool { code == Int(CURLE_OK.rawValue) }

        /// What kind of CURLcode this is, so callers need no libcurl constants.
        var category: Category {
            switch UInt32(truncatingIfNeeded: code) {
            case CURLE_OK.rawValue: .ok
            case CURLE_USE_SSL_FAILED.rawValue: .tlsUnavailable
            case CURLE_SSL_CONNECT_ERROR.rawValue, CURLE_PEER_FAILED_VERIFICATION.rawValue, CURLE_SSL_CACERT_BADFILE.rawValue:
                .tlsFailed
            case CURLE_LOGIN_DENIED.rawValue: .loginDenied
            case CURLE_COULDNT_RESOLVE_HOST.rawValue, CURLE_COULDNT_CONNECT.rawValue, CURLE_OPERATION_TIMEDOUT.rawValue,
                 CURLE_SEND_ERROR.rawValue, CURLE_RECV_ERROR.rawValue, CURLE_GOT_NOTHING.rawValue:
                .connection
            case CURLE_URL_MALFORMAT.rawValue, CURLE_UNSUPPORTED_PROTOCOL.rawValue: .badURL
            default: .other
            }
        }

        enum Category: Sendable, Equatable {
            case ok, tlsUnavailable, tlsFailed, loginDenied, connection, badURL, other
        }
    }

    /// TLS policy for the connection (`CURLOPT_USE_SSL`).
    enum TLSPolicy: Sendable {
        /// `CURLUSESSL_ALL`: "Require SSL for all communication or fail with CURLE_USE_SSL_FAILED."
        case required
        /// `CURLUSESSL_NONE`: "Do not attempt to use SSL." (a loopback relay only)
        case none
    }

    struct Request {
        var url: String
        var tls: TLSPolicy
        var user: String?
        var password: String?
        var mailFrom: String
        var recipients: [String]
        var message: [UInt8]
        var timeoutSeconds: Double
        var connectTimeoutSeconds: Double
        var caFile: String?
    }

    private let handle: UnsafeMutableRawPointer
    private var recipientList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>

    /// - Throws: `MailerError.temporaryFailure` when libcurl cannot be initialised or gives no handle.
    init() throws {
        guard curlGlobalInit == Int(CURLE_OK.rawValue) else {
            throw MailerError(.temporaryFailure, "libcurl could not be initialised · curl_global_init returned \(curlGlobalInit) · check the libcurl installation (Debian libcurl4)")
        }
        // curl_easy_init: "returns a CURL easy handle … If this function returns NULL, something went
        // wrong and you cannot use the other curl functions."
        guard let handle = curl_easy_init() else {
            throw MailerError(.temporaryFailure, "libcurl gave no handle · curl_easy_init returned NULL · retry; the machine may be out of memory")
        }
        self.handle = handle
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        self.errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        // curl_easy_cleanup: "This might close all connections this handle has used … Any use of the
        // handle after this function has been called … is illegal."
        curl_easy_cleanup(handle)
        // curl_slist_free_all: "removes all traces of a previously built curl_slist linked list"; NULL is fine.
        curl_slist_free_all(recipientList)
        errorBuffer.deallocate()
    }

    /// Performs one SMTP transaction (connect, EHLO, STARTTLS, AUTH, MAIL FROM, RCPT TO…, DATA) and
    /// reports how it ended. Never throws for network or server problems: those are in the `Outcome`.
    func perform(_ request: Request) -> Outcome {
        var setupFailure: (CURLcode, String)?
        func set(_ name: String, _ code: CURLcode) {
            if code != CURLE_OK, setupFailure == nil { setupFailure = (code, name) }
        }

        // curl_easy_setopt(handle, option, parameter): "returns CURLE_OK (zero) if the option is supported,
        // and CURLE_UNKNOWN_OPTION if not." String options are copied by libcurl ("the application does
        // not have to keep the string around after setting this option"), so scoped C strings suffice.
        request.url.withCString { set("CURLOPT_URL", ccurl_setopt_string(handle, CURLOPT_URL, $0)) }
        // CURLOPT_PROTOCOLS_STR: only these schemes may be used, also after redirects.
        set("CURLOPT_PROTOCOLS_STR", ccurl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "smtp,smtps"))
        // CURLOPT_USE_SSL: CURLUSESSL_ALL makes smtp:// issue STARTTLS and fail if the server lacks it.
        let useSSL = request.tls == .required ? CURLUSESSL_ALL : CURLUSESSL_NONE
        set("CURLOPT_USE_SSL", ccurl_setopt_long(handle, CURLOPT_USE_SSL, Int(useSSL.rawValue)))
        // CURLOPT_NOSIGNAL = 1: "libcurl will not use any functions that install signal handlers or any
        // functions that cause signals to be sent to the process" — required in a threaded program.
        set("CURLOPT_NOSIGNAL", ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        // CURLOPT_TIMEOUT_MS: "maximum time in milliseconds that you allow the libcurl transfer operation to take".
        set("CURLOPT_TIMEOUT_MS", ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(request.timeoutSeconds * 1000)))
        // CURLOPT_CONNECTTIMEOUT_MS: "maximum time in milliseconds that you allow the connection phase to take".
        set("CURLOPT_CONNECTTIMEOUT_MS", ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(request.connectTimeoutSeconds * 1000)))
        // CURLOPT_ERRORBUFFER: "a buffer for libcurl to store human readable error messages … at least
        // CURL_ERROR_SIZE bytes big"; it must stay valid while the handle is used (owned by self).
        set("CURLOPT_ERRORBUFFER", ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        if let caFile = request.caFile {
            // CURLOPT_CAINFO: "path to a Certificate Authority (CA) bundle" used to verify the server.
            caFile.withCString { set("CURLOPT_CAINFO", ccurl_setopt_string(handle, CURLOPT_CAINFO, $0)) }
        }
        if let user = request.user {
            // CURLOPT_USERNAME / CURLOPT_PASSWORD: credentials for SMTP AUTH (libcurl picks the
            // strongest mechanism the server advertises in its EHLO reply).
            user.withCString { set("CURLOPT_USERNAME", ccurl_setopt_string(handle, CURLOPT_USERNAME, $0)) }
            (request.password ?? "").withCString { set("CURLOPT_PASSWORD", ccurl_setopt_string(handle, CURLOPT_PASSWORD, $0)) }
        }
        // CURLOPT_MAIL_FROM: "the sender's email address when sending SMTP mail", in angle brackets.
        "<\(request.mailFrom)>".withCString { set("CURLOPT_MAIL_FROM", ccurl_setopt_string(handle, CURLOPT_MAIL_FROM, $0)) }
        // curl_slist_append: "appends a string to a linked list of strings … copies the string";
        // "returns a null pointer if anything went wrong" (then the list built so far is kept and freed later).
        curl_slist_free_all(recipientList)
        recipientList = nil
        for recipient in request.recipients {
            let appended = "<\(recipient)>".withCString { curl_slist_append(recipientList, $0) }
            guard let appended else {
                return Outcome(code: Int(CURLE_OUT_OF_MEMORY.rawValue), replyCode: 0, detail: "curl_slist_append failed")
            }
            recipientList = appended
        }
        // CURLOPT_MAIL_RCPT: "a linked list of recipients to pass to the server"; the list must stay
        // valid until the transfer is done (owned by self).
        set("CURLOPT_MAIL_RCPT", ccurl_setopt_slist(handle, CURLOPT_MAIL_RCPT, recipientList))
        // CURLOPT_UPLOAD = 1 makes the SMTP transfer send a message, read through CURLOPT_READFUNCTION.
        set("CURLOPT_UPLOAD", ccurl_setopt_long(handle, CURLOPT_UPLOAD, 1))
        set("CURLOPT_READFUNCTION", ccurl_setopt_read_function(handle, uploadReadCallback))

        if let (code, option) = setupFailure {
            return Outcome(code: Int(code.rawValue), replyCode: 0, detail: "\(option): \(describe(code))")
        }

        let source = UploadSource(request.message)
        let outcome: Outcome = withExtendedLifetime(source) {
            // CURLOPT_READDATA: "data pointer to pass to the file read function"; valid for the whole
            // transfer because `source` is kept alive around curl_easy_perform.
            let unmanaged = Unmanaged.passUnretained(source).toOpaque()
            let code = ccurl_setopt_pointer(handle, CURLOPT_READDATA, unmanaged)
            guard code == CURLE_OK else {
                return Outcome(code: Int(code.rawValue), replyCode: 0, detail: "CURLOPT_READDATA: \(describe(code))")
            }
            errorBuffer[0] = 0
            // curl_easy_perform: "performs the entire request in a blocking manner and returns when done,
            // or if it failed"; "returns a CURLcode error code". CURLE_OK means the server accepted DATA.
            let result = curl_easy_perform(handle)
            return Outcome(code: Int(result.rawValue), replyCode: replyCode(), detail: errorText(or: result))
        }
        return outcome
    }

    /// `curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, long *)`: "the last received … SMTP … response
    /// code"; "the stored value will be zero if no server response code has been received".
    private func replyCode() -> Int {
        var code = 0
        guard ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK else { return 0 }
        return code
    }

    private func errorText(or code: CURLcode) -> String {
        let text = String(cString: errorBuffer)
        return text.isEmpty ? describe(code) : text
    }

    /// `curl_easy_strerror(code)`: "returns a string describing the CURLcode error code"; a static string.
    private func describe(_ code: CURLcode) -> String {
        String(cString: curl_easy_strerror(code))
    }
}
