import ArgumentParser
import Foundation
import Hummingbird
import Logging
import LanternCore
import LanternRuntime
import LanternSim

/// `lantern-sim studio`: a site editor in the browser, served on 127.0.0.1 only (Hummingbird). The page
/// is `StudioPage`; what it asks for is answered by `StudioSession` (frames, the real site parser, the
/// replay through the board's run loop). The only file it writes is the site file named here.
struct StudioCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "studio",
        abstract: "Edit a site file in the browser over the clip's frames: zones, lines, crop, calibration; replay it live; save it.",
        discussion: """
            Serves a page on 127.0.0.1 (never another address) and prints its URL. The site is checked by \
            the same parser as lanternd's as you draw, and saved only when it passes. Stop with Ctrl-C.
            """
    )

    @Argument(help: "The clip (YUV4MPEG2, 8-bit).")
    var clip: String

    @Option(help: "The site file to edit and save (created if missing). Default: site.json beside the clip.")
    var site: String?

    @Option(help: "The port on 127.0.0.1 (0: any free port; the URL is printed).")
    var port: Int = 8737

    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        var session: StudioSession?
        try reportingErrors(logging) { () throws(SimulatorError) in
            guard (0...65_535).contains(port) else { throw SimulatorError("--port must be from 0 to 65535 (got \(port))", status: .usage) }
            session = try StudioSession(clipPath: clip, sitePath: site ?? defaultSitePath(forClip: clip))
        }
        guard let session else { return }
        let app = Application(
            router: StudioCommand.router(session),
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "lantern-sim studio"),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? 0
                // The one line on stdout: what to open (a test reads it to find a free port's number).
                FileHandle.standardOutput.write(Data("studio: http://127.0.0.1:\(bound)/\n".utf8))
            },
            logger: {
                var logger = Logger(label: "lantern-sim-studio")
                logger.logLevel = logging.verbose ? .info : .warning
                return logger
            }()
        )
        do {
            try await app.runService()
        } catch {
            Console.error(ShownText.line("studio: cannot serve on 127.0.0.1:\(port) (\(error)); pick another --port, or --port 0"))
            throw ArgumentParser.ExitCode(ExitStatus.unavailable.rawValue)
        }
    }

    static func router(_ session: StudioSession) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/") { _, _ in
            text(StudioPage.html, type: "text/html; charset=utf-8")
        }
        router.get("/api/info") { _, _ in
            text(session.infoJSON, type: "application/json")
        }
        router.get("/frame/:name") { _, context in
            let name = context.parameters.get("name") ?? ""
            guard name.hasSuffix(".png"), let index = Int(name.dropLast(4)), let png = session.framePNG(index) else {
                return Response(status: .notFound)
            }
            return Response(
                status: .ok, headers: [.contentType: "image/png", .cacheControl: "max-age=3600"],
                body: .init(byteBuffer: ByteBuffer(bytes: png)))
        }
        router.post("/api/check") { request, _ in
            text(session.checkJSON(try await body(request)), type: "application/json")
        }
        router.post("/api/save") { request, _ in
            text(session.save(try await body(request)), type: "application/json")
        }
        router.post("/api/replay") { request, _ in
            text(session.replayJSON(try await body(request)), type: "application/json")
        }
        router.get("/api/person") { request, _ in
            let query = request.uri.queryParameters
            let number = { (key: String) in query.get(key).flatMap { Int($0) } ?? -1 }
            return text(session.personJSON(frame: number("frame"), x: number("x"), y: number("y")), type: "application/json")
        }
        router.post("/api/calibrate") { _, _ in
            text(session.selfCalibrationJSON(), type: "application/json")
        }
        return router
    }

    static func body(_ request: Request) async throws -> [UInt8] {
        var request = request
        let buffer = try await request.collectBody(upTo: StudioSession.maximumSiteBytes + 1)
        return Array(buffer.readableBytesView)
    }

    static func text(_ s: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(string: s)))
    }
}
