//! Percent-encoding for the console's addresses; each feature builds its own pages' addresses
//! with it (`object_path`, `form_path`, `edit_path`, …).

/// Percent-encodes a query-string value.
pub(crate) fn encode_component(value: &str) -> String {
    encode_path_segment(value).replace("%20", "+")
}

/// Percent-encodes one path segment (an object key in an address).
pub fn encode_path_segment(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                encoded.push(byte as char)
            }
            other => encoded.push_str(&format!("%{other:02X}")),
        }
    }
    encoded
}
