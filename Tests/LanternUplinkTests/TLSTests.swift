import Foundation
import LanternCore
import LanternUplink
import Testing

/// mosquitto with `require_certificate true` and a test CA made here with openssl.
@Suite(.serialized) struct TLSTests {
    /// CA, server certificate for 127.0.0.1, client certificate, and an unrelated CA.
    static let pki: URL = {
        _ = Fixture.dependencies
        let dir = Fixture.temporaryDirectory("pki")
        let script = """
            set -e
            cd '\(dir.path)'
            o() { openssl "$@" 2>/dev/null; }
            o req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=lantern-test-ca
            o req -x509 -newkey rsa:2048 -nodes -keyout other-ca.key -out other-ca.crt -days 2 -subj /CN=other-ca
            o req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=127.0.0.1
            printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > san.ext
            o x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile san.ext
            o req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj /CN=lamp-tls
            o x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out client.crt -days 2
            chmod 644 *.key
            """
        let result = Fixture.run("/bin/bash", ["-c", script])
        precondition(result.status == 0, "openssl: \(result.output)")
        return dir
    }()

    func broker() -> Broker {
        let p = Self.pki.path
        let broker = Broker(extraConfiguration: """
            cafile \(p)/ca.crt
            certfile \(p)/server.crt
            keyfile \(p)/server.key
            require_certificate true
            """)
        broker.start()
        return broker
    }

    func client(port: Int, ca: String, withCertificate: Bool = true) throws -> MQTTClient {
        var configuration = MQTTClient.Configuration(
            url: MQTTURL(host: "127.0.0.1", port: Int32(port), tls: true), clientID: "lamp-tls")
        configuration.caFile = Self.pki.appendingPathComponent(ca).path
        if withCertificate {
            configuration.certFile = Self.pki.appendingPathComponent("client.crt").path
            configuration.keyFile = Self.pki.appendingPathComponent("client.key").path
        }
        configuration.statusTopic = "lantern/lamp-tls/status"
        configuration.backoff = Backoff(firstWindowMicros: 200_000, maximumWindowMicros: 1_600_000, seed: 1)
        return try MQTTClient(configuration)
    }

    @Test func theRightCAAndAClientCertificateConnect() throws {
        let broker = broker()
        let client = try client(port: broker.port, ca: "ca.crt")
        let connected = Fixture.wait(seconds: 5, step: { client.service(timeoutMs: 20) }) { client.state == .connected }
        #expect(connected, "\(client.lastError?.description ?? "")")
        client.shutdown()
        broker.stop()
    }

    @Test func aWrongCAIsRefusedWithOneClearLine() throws {
        let broker = broker()
        let client = try client(port: broker.port, ca: "other-ca.crt")
        let failed = Fixture.wait(seconds: 5, step: { client.service(timeoutMs: 20) }) { client.lastError != nil }
        #expect(failed)
        #expect(client.state != .connected)
        let text = client.lastError?.description ?? ""
        #expect(text.hasPrefix("mqtts://127.0.0.1:\(broker.port): TLS handshake failed: certificate verify failed"), "\(text)")
        #expect(text.contains("--mqtt-ca"))
        #expect(!text.contains("\n"))
        broker.stop()
    }

    @Test func withoutAClientCertificateTheBrokerRefuses() throws {
        let broker = broker()
        let client = try client(port: broker.port, ca: "ca.crt", withCertificate: false)
        _ = Fixture.wait(seconds: 3, step: { client.service(timeoutMs: 20) }) { client.lastError != nil }
        #expect(client.state != .connected)
        #expect(client.lastError != nil)
        broker.stop()
    }
}
