//! The `ip` provider (`IPAuthenticationProvider`): ACL ids `a.b.c.d[/bits]` or IPv6 (with `::`)
//! `[/bits]`, matched against the connection's address by masked byte comparison.

use super::java_int::parse_java_int;
use std::net::IpAddr;

/// `addr2Bytes`: 4 bytes for IPv4, 16 for IPv6, `None` if not an address ZooKeeper parses.
/// With `ipv6` false only IPv4 is understood (ZooKeeper 3.8/3.9, before ZOOKEEPER-4240).
fn addr_to_bytes(addr: &str, ipv6: bool) -> Option<Vec<u8>> {
    if !ipv6 {
        return v4_to_bytes(addr);
    }
    if addr.contains(':') {
        v6_to_bytes(addr)
    } else if addr.contains('.') {
        v4_to_bytes(addr)
    } else {
        None
    }
}

fn v4_to_bytes(addr: &str) -> Option<Vec<u8>> {
    let parts: Vec<&str> = addr.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    parts.iter().map(|p| parse_java_int(p, 10).filter(|v| (0..=255).contains(v)).map(|v| v as u8)).collect()
}

/// IPv6 text: either 8 groups, or one `::` with fewer than 8 explicit groups around it.
fn v6_to_bytes(addr: &str) -> Option<Vec<u8>> {
    let halves: Vec<&str> = addr.split("::").collect();
    let (head, tail): (Vec<&str>, Vec<&str>) = match halves.as_slice() {
        [all] => {
            let groups: Vec<&str> = all.split(':').collect();
            if groups.len() != 8 {
                return None;
            }
            (groups, Vec::new())
        }
        [a, b] => {
            let head = if a.is_empty() { Vec::new() } else { a.split(':').collect() };
            let tail = if b.is_empty() { Vec::new() } else { b.split(':').collect::<Vec<_>>() };
            if head.len() + tail.len() >= 8 {
                return None;
            }
            (head, tail)
        }
        _ => return None,
    };
    let mut out = vec![0u8; 16];
    fill_groups(&mut out[..], 0, &head)?;
    fill_groups(&mut out[..], 16 - tail.len() * 2, &tail)?;
    Some(out)
}

fn fill_groups(out: &mut [u8], mut at: usize, groups: &[&str]) -> Option<()> {
    for g in groups {
        // Java counts UTF-16 units; any non-ASCII group fails the hex parse anyway.
        if g.is_empty() || g.encode_utf16().count() > 4 {
            return None;
        }
        let v = parse_java_int(g, 16)?;
        out[at] = (v >> 8) as u8;
        out[at + 1] = v as u8;
        at += 2;
    }
    Some(())
}

/// Keeps the first `bits` bits of `b`, zeroing the rest.
fn mask(b: &mut [u8], bits: u32) {
    let start = (bits / 8) as usize;
    let first = !((1u32 << (8 - bits % 8)) - 1) as u8;
    for (i, byte) in b.iter_mut().enumerate().skip(start) {
        *byte &= if i == start { first } else { 0 };
    }
}

/// Splits `addr[/bits]`; `bits` defaults to the address length and must be within it.
fn parse_expr(expr: &str, ipv6: bool) -> Option<(Vec<u8>, u32)> {
    let (addr, bits) = match expr.split_once('/') {
        Some((a, b)) => (a, Some(b)),
        None => (expr, None),
    };
    let bytes = addr_to_bytes(addr, ipv6)?;
    let max = bytes.len() as i32 * 8;
    let bits = match bits {
        Some(b) => parse_java_int(b, 10).filter(|v| (0..=max).contains(v))?,
        None => max,
    };
    Some((bytes, bits as u32))
}

/// `IPAuthenticationProvider.isValid`.
pub fn ip_is_valid(id: &str, ipv6: bool) -> bool {
    parse_expr(id, ipv6).is_some()
}

/// `IPAuthenticationProvider.matches`: `remote_id` is the connection's `ip` id text.
/// An IPv4 expression never matches an IPv6 address and vice versa.
pub fn ip_matches(remote_id: &str, acl_expr: &str, ipv6: bool) -> bool {
    let Some((mut acl, bits)) = parse_expr(acl_expr, ipv6) else { return false };
    let Some(mut remote) = addr_to_bytes(remote_id, ipv6) else { return false };
    if remote.len() != acl.len() {
        return false;
    }
    mask(&mut acl, bits);
    mask(&mut remote, bits);
    acl == remote
}

/// The connection's own `ip` id: Java's `InetAddress.getHostAddress()` text. IPv4-mapped IPv6
/// peers are reported as IPv4 (Java turns them into `Inet4Address`); IPv6 is the uncompressed
/// form with lower-case hex and no leading zeros, e.g. `0:0:0:0:0:0:0:1`.
pub fn ip_id_text(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => v6.segments().iter().map(|s| format!("{s:x}")).collect::<Vec<_>>().join(":"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v4_validity() {
        assert!(ip_is_valid("10.0.0.1", true));
        assert!(ip_is_valid("10.0.0.0/8", true));
        assert!(ip_is_valid("10.0.0.0/0", true));
        assert!(ip_is_valid("10.0.0.0/32", true));
        assert!(ip_is_valid("010.+0.-0.1", true), "Java parseInt quirks");
        assert!(!ip_is_valid("10.0.0.0/33", true));
        assert!(!ip_is_valid("10.0.0.0/-1", true));
        assert!(!ip_is_valid("10.0.0.0/", true));
        assert!(!ip_is_valid("10.0.0.0/8/8", true));
        assert!(!ip_is_valid("256.0.0.1", true));
        assert!(!ip_is_valid("10.0.0", true));
        assert!(!ip_is_valid("10.0.0.1.", true));
        assert!(!ip_is_valid("localhost", true));
        assert!(!ip_is_valid("", true));
    }

    #[test]
    fn v6_validity() {
        assert!(ip_is_valid("::1", true));
        assert!(ip_is_valid("::", true));
        assert!(ip_is_valid("fe80::", true));
        assert!(ip_is_valid("0:0:0:0:0:0:0:1", true));
        assert!(ip_is_valid("2001:db8::/32", true));
        assert!(ip_is_valid("2001:db8::/128", true));
        assert!(!ip_is_valid("2001:db8::/129", true));
        assert!(!ip_is_valid("1:2:3:4:5:6:7:8:9", true));
        assert!(!ip_is_valid("1:2:3:4::5:6:7:8", true), "8 groups plus ::");
        assert!(!ip_is_valid("1::2::3", true));
        assert!(!ip_is_valid("1:::2", true));
        assert!(!ip_is_valid("12345::", true));
        assert!(!ip_is_valid("::ffff:1.2.3.4", true), "dotted tail is not parsed");
        assert!(!ip_is_valid("g::", true));
        // ZooKeeper 3.8/3.9 knew only IPv4.
        assert!(!ip_is_valid("::1", false));
        assert!(ip_is_valid("1.2.3.4/24", false));
    }

    #[test]
    fn v4_matching() {
        assert!(ip_matches("10.1.2.3", "10.1.0.0/16", true));
        assert!(!ip_matches("10.2.2.3", "10.1.0.0/16", true));
        assert!(ip_matches("127.0.0.1", "127.0.0.1", true));
        assert!(ip_matches("192.168.1.130", "192.168.1.128/25", true));
        assert!(!ip_matches("192.168.1.127", "192.168.1.128/25", true));
        assert!(ip_matches("8.8.8.8", "1.2.3.4/0", true));
        assert!(!ip_matches("garbage", "1.2.3.4/0", true));
    }

    #[test]
    fn v6_matching_and_family_separation() {
        assert!(ip_matches("0:0:0:0:0:0:0:1", "::1", true));
        assert!(ip_matches("2001:db8:0:0:0:0:0:42", "2001:db8::/32", true));
        assert!(!ip_matches("2001:db9:0:0:0:0:0:42", "2001:db8::/32", true));
        assert!(ip_matches("fe80:0:0:0:0:0:0:1", "fe80::/10", true));
        assert!(ip_matches("febf:0:0:0:0:0:0:1", "fe80::/10", true));
        assert!(!ip_matches("fec0:0:0:0:0:0:0:1", "fe80::/10", true));
        assert!(!ip_matches("0:0:0:0:0:0:0:1", "127.0.0.1", true));
        assert!(!ip_matches("127.0.0.1", "::1/0", true));
        assert!(!ip_matches("0:0:0:0:0:0:0:1", "::1", false));
    }

    #[test]
    fn id_text_is_java_form() {
        assert_eq!(ip_id_text("127.0.0.1".parse().unwrap()), "127.0.0.1");
        assert_eq!(ip_id_text("::1".parse().unwrap()), "0:0:0:0:0:0:0:1");
        assert_eq!(ip_id_text("2001:db8::a0b:12".parse().unwrap()), "2001:db8:0:0:0:0:a0b:12");
        assert_eq!(ip_id_text("::ffff:10.0.0.7".parse().unwrap()), "10.0.0.7");
    }
}
