/// A parsed JSON value (RFC 8259). Objects keep their members in document order; `JSONParser`
/// rejects duplicate keys, so a key names at most one member.
public enum JSONValue {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    /// The kind of value, with its article, for messages: "expected a number, got a string".
    public var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// The member named `key` of an object (nil for a missing key or a value that is not an object).
    /// Keys compare by their UTF-8 bytes, as JSON does (no Unicode normalisation).
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        for member in members where member.key.utf8.elementsEqual(key.utf8) {
            return member.value
        }
        return nil
    }
}

extension JSONValue: Equatable {
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a.utf8.elementsEqual(b.utf8)
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            for i in 0..<a.count {
                guard a[i].key.utf8.elementsEqual(b[i].key.utf8), a[i].value == b[i].value else { return false }
            }
            return true
        default: return false
        }
    }
}
