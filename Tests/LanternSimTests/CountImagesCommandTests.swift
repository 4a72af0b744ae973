import Foundation
import LanternTestSupport
import Testing

/// `lantern-sim count-images` on a folder made here (a synthetic 64x48 grey JPEG, no dataset pixels).
@Suite struct CountImagesCommandTests {
    /// A 64x48 grey JPEG of a smooth pattern with noise, written by Pillow.
    static let syntheticJPEG = [UInt8](Data(base64Encoded: "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAUDBAQEAwUEBAQFBQUGBwwIBwcHBw8LCwkMEQ8SEhEPERETFhwXExQaFRERGCEYGh0dHx8fExciJCIeJBweHx7/wAALCAAwAEABAREA/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/9oACAEBAAA/AGeHY1FugG085I6Z/wA80/XUzGSylsp+Y54ry7xFAoLHHIBBOep60zQIszR7kPJzuyB2/wD1flXqWgxExK20DBwe/wBaZ4jQtbynbuI4yB1x6/XvXl2vKgkZiBnH3Wqz4dWTzlZtrZOANx/z6mvT/DcX7tMLuITrnp7ZzU2txE27AxqSTz375ry7xHtWUgZ2k7SPXPcU3QI8zgkNuVuOn5cf/qr1Tw0F+zpwUzjdnGCPp/P8Ki8SRZgO8nbtwScY4zxXluupm4cgc4K5IAz+I/CrfhqNknUhdx35JwMA8/pXp/h0fujhcDA+UnOD/wDqqTXUJg3sxOFyMdD1ry3xFGPMcqyjHKnOPrzR4fQ+YAU3EMOwPI/yK9U0NN8SkhQuBweOcD/9X41D4kz9mbIZRnBOOCcGvLdeGJmPLHP3iOMdv6VY8OKPtCucowOSO+PX/wDV/WvUfDw3QI+45OGPuPXPep9ej/0eQFPvccdTg968s19SJpCFUt0Pb+lHh6IG5G3gDkZX2/8ArCvUfDyhrdNq52/eyRz61HroHkEEHdt6Yzjj/PP+NeXeIF/fvgK2W4A9Dz+POam8OoFlyvBzgZ6j0z0POPpXqPhxWMSBjlTjn/D/ACaseIQ7wuDu2kYAHY9u9eV6+myVskA/xEn26/X39/el8PKwkJCs+7G0seAMH9Mg16noKIqBkK5HHTP+e1V/EEYMJLcDAyFXr9OK8t15dt1wqEk44HAHp04q14djXzQq+WrKTxuJz68/lXp/h9E+zKo259AOBVjXlPklQx2kdQv8v5fnXluuRgytkMxJLEkZz6cfT+lGgRYuFfAxnIzycj/6wFepeHo1FugcjPYk1F4gjfy3GEz3+UH1HP6f5FeW62p+1MAgyScEt7/yq14dXMqlmYEkZwSdp/z/ACr/2Q==")!)

    /// A fresh folder holding `files`.
    func folder(_ name: String, _ files: [String: [UInt8]]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lantern-count-images-\(getpid())/\(name)")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (file, bytes) in files { try Data(bytes).write(to: dir.appendingPathComponent(file)) }
        return dir.path
    }

    func heads(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lantern-count-images-\(getpid())-heads-\(text.hashValue).csv")
        try Data(text.utf8).write(to: url)
        return url.path
    }

    @Test func countsTheAnnotatedImagesAndEndsWithTheAccuracyLine() throws {
        let dir = try folder("synthetic", ["a.jpg": Self.syntheticJPEG, "b.jpg": Self.syntheticJPEG, "unlisted.jpg": Self.syntheticJPEG])
        let csv = try heads("split,image,x,y\nsynthetic,a.jpg,10,10\nsynthetic,a.jpg,30,20\nsynthetic,b.jpg,5,5\nother,c.jpg,1,1\n")
        let result = try runBuiltProduct("lantern-sim", ["count-images", dir, "--heads", csv])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines.first?.hasPrefix("a.jpg: ") == true && lines.first?.hasSuffix("people, truth 2") == true)
        let last = lines.last ?? ""
        #expect(last.hasPrefix("lantern: images=2 fps="))
        #expect(last.contains(" MAE=") && last.contains(" RMSE=") && last.contains(" bias="))
    }

    @Test func badInputIsOneLineAndAnExitStatus() throws {
        let good = try heads("split,image,x,y\nsynthetic,a.jpg,10,10\n")
        let cases: [([String], String, Int32)] = [
            (["count-images", "/nonexistent/images", "--heads", good], "not a readable folder", 66),
            (["count-images", try folder("broken", ["a.jpg": Array("not a jpeg".utf8)]), "--heads", good], "not a readable JPEG", 65),
            (["count-images", try folder("none", ["z.jpg": Self.syntheticJPEG]), "--heads", good], "no image in it is named", 65),
            (["count-images", try folder("synthetic2", ["a.jpg": Self.syntheticJPEG]), "--heads", try heads("image,x\na.jpg,1\n")], "expected columns", 65),
            (["count-images", try folder("synthetic3", ["a.jpg": Self.syntheticJPEG]), "--heads", good, "--split", "nope"], "no such split", 64),
        ]
        for (arguments, needle, status) in cases {
            let result = try runBuiltProduct("lantern-sim", arguments)
            #expect(result.reason == .exit, "no crash: \(arguments)")
            #expect(result.status == status, "\(arguments): \(result.stderr)")
            let lines = result.stderr.split(separator: "\n").filter { !$0.isEmpty }
            #expect(lines.count == 1 && result.stderr.hasPrefix("lantern-sim: ") && result.stderr.contains(needle), "\(result.stderr)")
        }
    }
}
