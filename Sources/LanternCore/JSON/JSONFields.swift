/// Reading a parsed JSON document value by value for a configuration file: every read names the key
/// path of the value it is about (`zones[1].points`, empty for the document itself), and every
/// rejection is one `JSONFieldError` carrying that path and a one-line message. A file's parser
/// conforms its reader to `JSONFieldReader` and maps `JSONFieldError` to its own public error.
public protocol JSONFieldReader {}

/// Why a value of a parsed JSON document was rejected.
public struct JSONFieldError: Error, Equatable, Sendable {
    /// The key path, such as `roles[2].line` (empty for the document itself).
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
}

/// What a whole number read by `JSONFieldReader.integer(_:_:_:)` must be.
public enum JSONIntegerBound: Sendable {
    case positive
    case atLeast(Int)
    case between(Int, Int)
}

/// The members of one object, already checked for unknown keys.
public struct JSONFields {
    /// The object's own key path.
    public let path: String
    public let members: [(key: String, value: JSONValue)]

    /// The member named `key` (by its UTF-8 bytes), or nil.
    public subscript(key: StaticString) -> JSONValue? {
        for member in members where utf8Equal(key, member.key) { return member.value }
        return nil
    }

    public func required(_ key: StaticString) throws(JSONFieldError) -> JSONValue {
        guard let value = self[key] else {
            throw JSONFieldError(path: JSONFields.path(path, key.description), message: "required key is missing")
        }
        return value
    }

    /// The key path of member `key` of the object at `parent`.
    public static func path(_ parent: String, _ key: String) -> String {
        parent.isEmpty ? key : parent + "." + key
    }
}

extension JSONFieldReader {
    public func fail(_ path: String, _ message: String) -> JSONFieldError {
        JSONFieldError(path: path, message: message)
    }

    /// An object whose keys are all in `allowed`: an unknown key is an error naming its path and the
    /// known keys (a misspelt key would otherwise be silently ignored).
    public func object(_ value: JSONValue, _ path: String, keys allowed: [StaticString]) throws(JSONFieldError) -> JSONFields {
        guard case .object(let members) = value else {
            if path.isEmpty { throw fail(path, "the file must hold a JSON object, got \(value.kindDescription)") }
            throw fail(path, "expected an object, got \(value.kindDescription)")
        }
        for member in members where !allowed.contains(where: { utf8Equal($0, member.key) }) {
            var known = ""
            for key in allowed { known += (known.isEmpty ? "" : ", ") + key.description }
            // A key holding a control character would break the one-line message, and a huge one
            // flood it: show it escaped and cut.
            let printable = !member.key.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F })
            let key = printable ? ShownText.shown(member.key) : JSONWriter.quoted(ShownText.shown(member.key))
            throw fail(JSONFields.path(path, key), "unknown key (known keys here: \(known))")
        }
        return JSONFields(path: path, members: members)
    }

    public func array(_ value: JSONValue, _ path: String) throws(JSONFieldError) -> [JSONValue] {
        guard case .array(let elements) = value else { throw fail(path, "expected an array, got \(value.kindDescription)") }
        return elements
    }

    public func string(_ value: JSONValue, _ path: String) throws(JSONFieldError) -> String {
        guard case .string(let text) = value else { throw fail(path, "expected a string, got \(value.kindDescription)") }
        return text
    }

    public func bool(_ value: JSONValue, _ path: String) throws(JSONFieldError) -> Bool {
        guard case .bool(let flag) = value else { throw fail(path, "expected true or false, got \(value.kindDescription)") }
        return flag
    }

    public func number(_ value: JSONValue, _ path: String) throws(JSONFieldError) -> Double {
        guard case .number(let x) = value else { throw fail(path, "expected a number, got \(value.kindDescription)") }
        return x
    }

    /// A whole number within `bound`, checked in this order: the bound (the message quotes the
    /// number as written, fraction and all), then 2^53 and beyond ("is too large"), then fractions.
    public func integer(_ value: JSONValue, _ path: String, _ bound: JSONIntegerBound) throws(JSONFieldError) -> Int {
        let x = try number(value, path)
        let got = "(got \(formatTrimmed(x)))"
        switch bound {
        case .positive: if !(x > 0) { throw fail(path, "must be > 0 \(got)") }
        case .atLeast(let low): if x < Double(low) { throw fail(path, "must be >= \(low) \(got)") }
        case .between(let low, let high):
            if x < Double(low) || x > Double(high) { throw fail(path, "must be from \(low) to \(high) \(got)") }
        }
        // 2^53: beyond it a double no longer tells whole numbers apart, and no count here gets near.
        if x >= 9_007_199_254_740_992 { throw fail(path, "is too large \(got)") }
        guard let n = Int(exactly: x) else { throw fail(path, "must be a whole number \(got)") }
        return n
    }

    /// A whole number of magnitude below 10^9, checked before any range (unlike `integer(_:_:_:)`):
    /// a fraction or anything larger is "must be a whole number". For a caller that words its own
    /// range message; `wholeNumber(_:_:from:to:)` has the plain one.
    public func wholeNumber(_ value: JSONValue, _ path: String) throws(JSONFieldError) -> Int {
        let x = try number(value, path)
        guard x > -1e9 && x < 1e9, let n = Int(exactly: x) else {
            throw fail(path, "must be a whole number (got \(formatTrimmed(x)))")
        }
        return n
    }

    /// `wholeNumber(_:_:)`, then from `low` to `high`.
    public func wholeNumber(_ value: JSONValue, _ path: String, from low: Int, to high: Int) throws(JSONFieldError) -> Int {
        let n = try wholeNumber(value, path)
        if n < low || n > high { throw fail(path, "must be from \(low) to \(high) (got \(n))") }
        return n
    }
}

private func utf8Equal(_ a: StaticString, _ b: String) -> Bool {
    a.withUTF8Buffer { b.utf8.elementsEqual($0) }
}
