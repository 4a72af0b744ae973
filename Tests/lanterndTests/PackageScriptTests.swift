import Foundation
import LanternTestSupport
import Testing

/// The package's maintainer scripts and licence, checked from the repository's own files (no .deb
/// build, no aarch64 binary): `Toolchain/check-package` checks the same on the built package, in CI.
@Suite struct PackageScriptTests {
    /// The postinst needs `deb-systemd-helper` (init-system-helpers), and its chroot case is the one
    /// where systemd does not run here.
    static let canRunPostinstAsInAChroot =
        FileManager.default.isExecutableFile(atPath: "/usr/bin/deb-systemd-helper")
        && !FileManager.default.fileExists(atPath: "/run/systemd/system")

    /// Issue 12: the postinst enabled the unit only when systemd was running, so an SD image built in
    /// a chroot booted with lanternd disabled. Run as an image builder runs it (DPKG_ROOT on a fresh
    /// tree, the commands that touch users and modes stubbed), it must leave the wants link.
    @Test(.enabled(if: canRunPostinstAsInAChroot, "needs deb-systemd-helper and no running systemd"))
    func thePostinstInAChrootEnablesTheUnit() throws {
        let tree = FileManager.default.temporaryDirectory.appendingPathComponent("lantern-postinst-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: tree) }
        let stubs = tree.appendingPathComponent("stubs")
        for folder in [stubs, tree.appendingPathComponent("lib/systemd/system"), tree.appendingPathComponent("etc/systemd/system")] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        try FileManager.default.copyItem(
            at: repositoryRoot.appendingPathComponent("Toolchain/debian/lanternd.service"),
            to: tree.appendingPathComponent("lib/systemd/system/lanternd.service"))
        for stub in ["adduser", "getent", "install", "chown", "chmod"] {
            let path = stubs.appendingPathComponent(stub).path
            try "#!/bin/sh\nexit 0\n".write(toFile: path, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }
        let path = stubs.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let run = try runProgram(
            URL(fileURLWithPath: "/bin/sh"), [repositoryRoot.appendingPathComponent("Toolchain/debian/postinst").path, "configure"],
            environment: ["PATH": path, "DPKG_ROOT": tree.path, "DPKG_MAINTSCRIPT_PACKAGE": "lantern", "DPKG_MAINTSCRIPT_NAME": "postinst"])
        #expect(run.status == 0, "\(run.stderr)")
        let link = tree.appendingPathComponent("etc/systemd/system/multi-user.target.wants/lanternd.service").path
        let target = try? FileManager.default.destinationOfSymbolicLink(atPath: link)
        #expect(target == "/lib/systemd/system/lanternd.service", "postinst in a chroot did not enable lanternd.service (no \(link))")
    }

    /// Issue 12: the repository had no LICENSE, and the package no copyright file. Both name the
    /// same licence (Apache-2.0).
    @Test func theRepositoryAndThePackageNameTheSameLicence() throws {
        let licence = try String(contentsOf: repositoryRoot.appendingPathComponent("LICENSE"), encoding: .utf8)
        #expect(licence.contains("Apache License") && licence.contains("Version 2.0"))
        let copyright = try String(contentsOf: repositoryRoot.appendingPathComponent("Toolchain/debian/copyright"), encoding: .utf8)
        #expect(copyright.hasPrefix("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"))
        #expect(copyright.contains("\nLicense: Apache-2.0\n"))
    }
}
