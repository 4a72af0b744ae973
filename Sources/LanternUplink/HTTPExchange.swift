import CLantern

/// One HTTP request at a time through libcurl's multi interface, driven from the agent's loop: `start`
/// and `poll` never block (`curl_multi_perform`), and no thread is started (CURLOPT_NOSIGNAL; a numeric
/// host never reaches curl's threaded resolver, a name does). The answer's body (at most 512 KB) and its
/// `Location` header are kept until the next request. `NGSIClient` and `SensorThingsClient` each own
/// one; what to send and how to retry stays theirs.
final class HTTPExchange {
    /// How a finished request ended.
    enum Outcome: Equatable {
        /// The server answered with this status (any, 2xx or not).
        case answered(status: Int)
        /// No answer: the transport failed (curl's message).
        case failed(String)
    }

    private let multi: UnsafeMutableRawPointer
    private var easy: UnsafeMutableRawPointer?
    private var headers: UnsafeMutablePointer<curl_slist>?
    private let response: UnsafeMutablePointer<lantern_curl_response>
    private let timeoutMs: Int

    private static let globalInit: Void = { _ = lantern_curl_global_init() }()

    /// `headers` are sent with every request (`Name: value`); `url` only names a failure to set up.
    init(url: String, headers lines: [String], timeoutMs: Int) throws(NGSIError) {
        _ = HTTPExchange.globalInit
        guard let m = curl_multi_init() else {
            throw NGSIError(url: url, message: "curl_multi_init failed (out of memory?)")
        }
        multi = m
        self.timeoutMs = timeoutMs
        response = UnsafeMutablePointer<lantern_curl_response>.allocate(capacity: 1)
        response.initialize(to: lantern_curl_response())
        // No `Expect: 100-continue` round trip before a body.
        for line in lines + ["Expect:"] { headers = curl_slist_append(headers, line) }
    }

    deinit {
        if let easy {
            curl_multi_remove_handle(multi, easy)
            curl_easy_cleanup(easy)
        }
        curl_multi_cleanup(multi)
        curl_slist_free_all(headers)
        lantern_curl_response_free(response)
        response.deallocate()
    }

    /// A request is in flight.
    var isBusy: Bool { easy != nil }

    /// Starts a POST of `body`, or a GET when it is nil. Returns nil once started, or why it could not be.
    func start(_ url: String, body: String?) -> String? {
        guard easy == nil else { return "a request is already in flight" }
        guard let e = curl_easy_init() else { return "curl_easy_init failed (out of memory?)" }
        lantern_curl_response_reset(response)
        let rc: CURLcode
        if var text = body {
            rc = text.withUTF8 { bytes in
                bytes.withMemoryRebound(to: CChar.self) { chars in
                    lantern_curl_prepare_request(e, url, chars.baseAddress, Int(chars.count), headers, timeoutMs, response)
                }
            }
        } else {
            rc = lantern_curl_prepare_request(e, url, nil, 0, headers, timeoutMs, response)
        }
        guard rc == CURLE_OK, curl_multi_add_handle(multi, e) == CURLM_OK else {
            curl_easy_cleanup(e)
            return "cannot set up the request: \(HTTPExchange.describe(rc))"
        }
        easy = e
        var running: Int32 = 0
        _ = curl_multi_perform(multi, &running)
        return nil
    }

    /// Advances the request in flight: its outcome once it has finished (then the next may start), else nil.
    func poll() -> Outcome? {
        guard let e = easy else { return nil }
        var running: Int32 = 0
        _ = curl_multi_perform(multi, &running)
        var done: UnsafeMutableRawPointer?
        var result = CURLE_OK
        guard lantern_curl_multi_next_done(multi, &done, &result) != 0, done == e else { return nil }
        var status = 0
        _ = lantern_curl_getinfo_long(e, lantern_curlinfo_response_code(), &status)
        curl_multi_remove_handle(multi, e)
        curl_easy_cleanup(e)
        easy = nil
        return result == CURLE_OK ? .answered(status: status) : .failed(HTTPExchange.describe(result))
    }

    /// The last answer's body (empty when there was none).
    var body: String {
        guard let text = response.pointee.body, response.pointee.length > 0 else { return "" }
        return String(cString: text)
    }

    /// The last answer's `Location` header (empty when there was none).
    var location: String {
        withUnsafePointer(to: &response.pointee.location) { p in
            p.withMemoryRebound(to: CChar.self, capacity: 1024) { String(cString: $0) }
        }
    }

    /// The start of the last answer's body on one line, for a log line: `: {"code":...}`, or empty.
    var detail: String {
        var text = body
        guard !text.isEmpty else { return "" }
        if text.utf8.count > 160 { text = String(decoding: Array(text.utf8.prefix(160)), as: UTF8.self) + "…" }
        var flat: [UInt8] = []
        for b in text.utf8 { flat.append(b == 0x0A || b == 0x0D ? 0x20 : b) }
        return ": " + String(decoding: flat, as: UTF8.self)
    }

    static func describe(_ code: CURLcode) -> String {
        curl_easy_strerror(code).map { String(cString: $0) } ?? "curl error \(code.rawValue)"
    }
}
