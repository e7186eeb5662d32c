//! Note identity: derived only from the deck id and the question's `id`,
//! with a pinned hash (SHA-256), so editing, renumbering or reordering a
//! question never changes it.

use sha2::{Digest, Sha256};

/// genanki's base91 alphabet, which Anki uses for GUIDs.
const BASE91: &[u8; 91] =
    b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_`{|}~";

/// SHA-256 of the parts joined with `__` (fed to the hash piece by piece:
/// a 100,000-question export computes hundreds of thousands of these).
fn digest(parts: &[&str]) -> [u8; 32] {
    let mut h = Sha256::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            h.update(b"__");
        }
        h.update(part.as_bytes());
    }
    h.finalize().into()
}

/// The note's GUID: the first 8 bytes of SHA-256("pyq__DECK__ID") in base91
/// (the same construction as genanki's `guid_for`).
pub fn guid(deck_id: i64, question_id: &str) -> String {
    let d = digest(&["pyq", &deck_id.to_string(), question_id]);
    let mut n = u64::from_be_bytes(d[..8].try_into().expect("8 bytes"));
    let mut out = Vec::new();
    while n > 0 {
        out.push(BASE91[(n % 91) as usize]);
        n /= 91;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII alphabet")
}

/// A stable positive id below 2^53 (safe in JavaScript, as Anki needs) for
/// a note or card, from the same inputs plus a purpose.
pub fn object_id(deck_id: i64, question_id: &str, purpose: &str) -> i64 {
    let d = digest(&["pyq", &deck_id.to_string(), question_id, purpose]);
    let n = u64::from_be_bytes(d[..8].try_into().expect("8 bytes"));
    (n % ((1 << 53) - 1)) as i64 + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinned_values() {
        // Pinned: changing these breaks every learner's collection. The
        // values were computed independently with genanki's `guid_for("pyq", 1, "a")`.
        assert_eq!(guid(1, "a"), "H_]YfFaI)?");
        assert_eq!(object_id(1, "a", "note"), 1_169_769_536_329_718);
    }

    #[test]
    fn digest_joins_its_parts() {
        let joined: [u8; 32] = Sha256::digest(b"pyq__1__a__note").into();
        assert_eq!(digest(&["pyq", "1", "a", "note"]), joined);
    }

    #[test]
    fn depends_on_deck_and_id_only() {
        assert_ne!(guid(1, "a"), guid(2, "a"));
        assert_ne!(guid(1, "a"), guid(1, "b"));
        assert_ne!(object_id(1, "a", "note"), object_id(1, "a", "card0"));
    }
}
