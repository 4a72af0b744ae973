/// `mqtt://host[:port]` (plain, default port 1883) or `mqtts://host[:port]` (TLS, default 8883).
/// IPv6 literals go in brackets: `mqtt://[::1]:1883`.
public struct MQTTURL: Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int32
    public var tls: Bool

    public init(host: String, port: Int32, tls: Bool) {
        self.host = host
        self.port = port
        self.tls = tls
    }

    /// Parses the URL; on failure the error says what to type.
    public static func parse(_ text: String) -> Result<MQTTURL, MQTTError> {
        let bad = { (why: String) -> Result<MQTTURL, MQTTError> in
            .failure(MQTTError(url: text, message: "\(why); expected mqtt://host:port or mqtts://host:port"))
        }
        var rest: Substring
        let tls: Bool
        if text.hasPrefix("mqtts://") {
            tls = true
            rest = text.dropFirst(8)
        } else if text.hasPrefix("mqtt://") {
            tls = false
            rest = text.dropFirst(7)
        } else {
            return bad("unknown scheme")
        }
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        var host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return bad("unclosed '['") }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return bad("junk after ']'") }
                portText = after.dropFirst()
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        if host.isEmpty { return bad("no host") }
        if host.contains("/") { return bad("a path is not allowed") }
        var port: Int32 = tls ? 8883 : 1883
        if let portText {
            guard let p = Int32(portText), p >= 1, p <= 65535 else { return bad("bad port \(portText)") }
            port = p
        }
        return .success(MQTTURL(host: String(host), port: port, tls: tls))
    }

    /// A comma-separated list of brokers (`mqtt://10.0.0.5:1883,mqtt://10.0.0.6:1883`; spaces around
    /// the commas are allowed), tried in this order (see `BrokerFailover`). All use the same scheme:
    /// one device has one set of TLS settings.
    public static func parseList(_ text: String) -> Result<[MQTTURL], MQTTError> {
        var urls: [MQTTURL] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            var item = part[...]
            while item.first == " " { item = item.dropFirst() }
            while item.last == " " { item = item.dropLast() }
            if item.isEmpty {
                return .failure(MQTTError(url: text, message: "an empty broker in the list; expected mqtt://host:port[,mqtt://host:port...]"))
            }
            switch parse(String(item)) {
            case .success(let url):
                if let first = urls.first, first.tls != url.tls {
                    return .failure(MQTTError(url: text, message: "mixes mqtt:// and mqtts://; use one scheme for every broker of the list"))
                }
                urls.append(url)
            case .failure(let error):
                return .failure(error)
            }
        }
        return .success(urls)
    }

    /// The list as `parseList` reads it.
    public static func listDescription(_ urls: [MQTTURL]) -> String {
        var text = ""
        for url in urls {
            if !text.isEmpty { text += "," }
            text += url.description
        }
        return text
    }

    public var description: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return (tls ? "mqtts://" : "mqtt://") + h + ":" + String(port)
    }
}

/// An MQTT failure as one line that names the broker and what to do:
/// `mqtts://10.0.0.5:8883: TLS handshake failed: certificate verify failed; check --mqtt-ca`.
public struct MQTTError: Error, Equatable, CustomStringConvertible {
    public var url: String
    public var message: String

    public init(url: String, message: String) {
        self.url = url
        self.message = message
    }

    public var description: String { "\(url): \(message)" }
}
