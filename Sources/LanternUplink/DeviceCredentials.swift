import CLantern
import LanternSystem

/// The device's TLS identity: its key (EC P-256, made here with libcrypto), the certificate request
/// for the city's CA, and the checks that say in one line why a TLS setup cannot work before a
/// handshake says only "system lib": a file the service user cannot read (with its owner and mode), a
/// certificate that does not match the key, an expired or not yet valid certificate.
public enum DeviceCredentials {
    /// Why a key or request could not be made, or a file could not be checked: one line.
    public struct Problem: Error, Equatable, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// Writes a new EC P-256 key (PEM) to `path`, created exclusively with `mode` (never replaces one).
    public static func generateKey(at path: String, mode: UInt32 = 0o600) throws(Problem) {
        let result = path.withCString { lantern_key_generate($0, mode) }
        if result == -1 { throw Problem("\(path): cannot create the key: \(Errno.current)") }
        if result != 0 { throw Problem("\(path): libcrypto could not make an EC P-256 key: \(cryptoError())") }
    }

    /// Writes a certificate request (PKCS#10, SHA-256, CN=`commonName`) for the key at `key` to `path`.
    public static func writeRequest(key: String, commonName: String, to path: String, mode: UInt32 = 0o644) throws(Problem) {
        let result = key.withCString { k in commonName.withCString { cn in path.withCString { lantern_request_write(k, cn, $0, mode) } } }
        if result == -1 { throw Problem("\(path): cannot write the request: \(Errno.current)") }
        if result != 0 { throw Problem("\(key): cannot make a request from this key: \(cryptoError()); delete it and provision again") }
    }

    /// Whether the certificate holds the public half of the key.
    public static func certificate(_ certificate: String, matchesKey key: String) throws(Problem) -> Bool {
        let result = certificate.withCString { c in key.withCString { lantern_certificate_matches_key(c, $0) } }
        switch result {
        case 1: return true
        case 0: return false
        case -1: throw Problem("\(certificate) or \(key): cannot read: \(Errno.current)")
        case -2: throw Problem("\(certificate): not a PEM certificate (-----BEGIN CERTIFICATE-----)")
        default: throw Problem("\(key): not a PEM private key (or one with a passphrase, which lanternd cannot use)")
        }
    }

    /// A certificate's validity now, its end, and its subject's common name.
    public struct Validity: Equatable {
        public enum State: Equatable { case valid, expired, notYetValid }
        public var state: State
        /// `YYYY-MM-DD HH:MM:SSZ`.
        public var notAfter: String
        public var commonName: String
    }

    public static func validity(of certificate: String) throws(Problem) -> Validity {
        var end = [CChar](repeating: 0, count: 32)
        var name = [CChar](repeating: 0, count: 256)
        let result = certificate.withCString { lantern_certificate_validity($0, &end, end.count, &name, name.count) }
        if result == -1 { throw Problem("\(certificate): cannot read: \(Errno.current)") }
        if result < 0 { throw Problem("\(certificate): not a PEM certificate (-----BEGIN CERTIFICATE-----)") }
        let state: Validity.State = result == 1 ? .expired : result == 2 ? .notYetValid : .valid
        return Validity(state: state, notAfter: text(end), commonName: text(name))
    }

    /// nil when `user` (nil: this process) can read `path`; else one line with the owner and mode and
    /// what to do.
    public static func readProblem(_ path: String, user: String?, what: String) -> String? {
        var owner = [CChar](repeating: 0, count: 64)
        var group = [CChar](repeating: 0, count: 64)
        var mode: UInt32 = 0
        let result: Int32
        if let user {
            result = path.withCString { p in user.withCString { lantern_user_can_read(p, $0, &owner, owner.count, &group, group.count, &mode) } }
        } else {
            result = path.withCString { lantern_self_can_read($0, &owner, owner.count, &group, group.count, &mode) }
        }
        switch result {
        case 1: return nil
        case -1: return "\(path): cannot read the \(what): \(Errno.current)"
        case -2: return "\(path): cannot check the \(what): no user \(user ?? "")"
        default:
            let who = user.map { "user \($0)" } ?? "uid \(lantern_effective_uid())"
            let fix = user.map { "chown \($0) \(path) (lanternd provision does it)" } ?? "run as its owner or change its mode"
            return "\(path): the \(what) is not readable by \(who) (owner \(text(owner)):\(text(group)), mode \(octal(mode))); \(fix)"
        }
    }

    /// Everything that can be known about a TLS setup without a handshake, as one line per problem
    /// (empty: nothing wrong): each file readable by `user` (the one lanternd runs as after --user),
    /// a PEM CA, the certificate matching the key, the certificate valid now. `options` names the
    /// settings as the technician wrote them (`--mqtt-cert` or `mqtt-cert=`).
    public static func problems(ca: String?, certificate: String?, key: String?, user: String?) -> [String] {
        var problems: [String] = []
        var unreadable = false
        for (path, what) in [(ca, "CA (mqtt-ca)"), (certificate, "client certificate (mqtt-cert)"), (key, "client key (mqtt-key)")] {
            guard let path else { continue }
            if let problem = readProblem(path, user: user, what: what) {
                problems.append(problem)
                unreadable = true
            }
        }
        if unreadable { return problems }
        if let ca {
            do throws(Problem) {
                let v = try validity(of: ca)
                if v.state == .expired { problems.append("\(ca): the CA certificate (mqtt-ca) expired on \(v.notAfter); get the city's current CA") }
            } catch {
                problems.append("\(error.description): the CA (mqtt-ca) must be the PEM certificate of the CA that signed the broker's")
            }
        }
        if let certificate, let key {
            do throws(Problem) {
                if try !Self.certificate(certificate, matchesKey: key) {
                    problems.append("\(certificate): the client certificate does not match the key \(key); it was signed for another key: send \(dirname(key))/device.csr to the CA again and install what it returns (lanternd provision --install-cert FILE)")
                } else {
                    let v = try validity(of: certificate)
                    switch v.state {
                    case .expired: problems.append("\(certificate): the client certificate expired on \(v.notAfter); have the CA sign device.csr again and install it (lanternd provision --install-cert FILE)")
                    case .notYetValid: problems.append("\(certificate): the client certificate is not valid yet; check the clock (lanternd check) or the certificate's dates")
                    case .valid: break
                    }
                }
            } catch {
                problems.append(error.description)
            }
        }
        return problems
    }

    static func dirname(_ path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "." }
        return String(path[..<slash])
    }

    static func octal(_ mode: UInt32) -> String {
        var digits = String(mode, radix: 8)
        while digits.utf8.count < 4 { digits = "0" + digits }
        return digits
    }

    static func text(_ buffer: [CChar]) -> String {
        buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    static func cryptoError() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        lantern_crypto_error(&buffer, buffer.count)
        let text = Self.text(buffer)
        return text.isEmpty ? "unknown error" : text
    }

    /// Gives `path` to `user` (and the user's group). For the device key: readable by the service user only.
    public static func giveToUser(_ path: String, user: String) throws(Problem) {
        let result = path.withCString { p in user.withCString { lantern_chown_to_user(p, $0) } }
        if result == -2 { throw Problem("\(path): no user \(user) to give the key to; install the lantern package first (it creates the user), or pass --key-owner") }
        if result != 0 { throw Problem("\(path): cannot give it to \(user): \(Errno.current); run provision as root") }
    }
}
