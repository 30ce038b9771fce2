//! Text exactly as Java prints it: `Double.toString`, `Date.toString`,
//! `InetSocketAddress.toString`, and ZooKeeper's 4-decimal latency rounding.

use std::net::{IpAddr, SocketAddr};

/// `Double.toString(d)`: plain decimal with at least one fraction digit in [1e-3, 1e7),
/// otherwise `d.dddE±n`; shortest digits that read back to the same double.
pub fn java_double(d: f64) -> String {
    if d.is_nan() {
        return "NaN".to_string();
    }
    if d.is_infinite() {
        return if d > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    let a = d.abs();
    if a == 0.0 || (1e-3..1e7).contains(&a) {
        let s = format!("{d}");
        if s.contains('.') { s } else { format!("{s}.0") }
    } else {
        let s = format!("{d:e}");
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let mantissa = if mantissa.contains('.') { mantissa.to_string() } else { format!("{mantissa}.0") };
        format!("{mantissa}E{exp}")
    }
}

/// `new BigDecimal(d).setScale(4, HALF_UP).doubleValue()` (AvgMinMaxCounter.getAvg).
/// Works on the exact decimal expansion so ties round like Java's BigDecimal.
pub fn round_half_up_4(d: f64) -> f64 {
    if !d.is_finite() {
        return d;
    }
    // 60 fraction digits separate every non-tie from a tie for the magnitudes an average of
    // integer milliseconds can take.
    let s = format!("{:.60}", d.abs());
    let (int_part, frac) = s.split_once('.').unwrap_or((&s, ""));
    let mut digits: Vec<u8> = int_part.bytes().chain(frac.bytes().take(4)).map(|b| b - b'0').collect();
    if frac.as_bytes().get(4).is_some_and(|b| *b >= b'5') {
        let mut i = digits.len();
        loop {
            if i == 0 {
                digits.insert(0, 1);
                break;
            }
            i -= 1;
            if digits[i] == 9 {
                digits[i] = 0;
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    let split = digits.len() - 4;
    let text: String = digits[..split].iter().map(|d| (b'0' + d) as char).collect::<String>()
        + "."
        + &digits[split..].iter().map(|d| (b'0' + d) as char).collect::<String>();
    let v: f64 = text.parse().unwrap_or(0.0);
    if d < 0.0 { -v } else { v }
}

/// A time zone for `Date.toString` (the edge knows the host's; UTC by default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JavaTimeZone {
    pub offset_seconds: i32,
    /// As Java abbreviates it: "UTC", "CET", ...
    pub name: String,
}

impl Default for JavaTimeZone {
    fn default() -> JavaTimeZone {
        JavaTimeZone { offset_seconds: 0, name: "UTC".to_string() }
    }
}

/// Days since 1970-01-01 → (year, month 1-12, day) (proleptic Gregorian).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `Date.toString()`: `EEE MMM dd HH:mm:ss zzz yyyy`, e.g. `Thu Jan 01 00:00:00 UTC 1970`.
pub fn java_date(wall_ms: i64, tz: &JavaTimeZone) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let secs = wall_ms.div_euclid(1000) + tz.offset_seconds as i64;
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{} {} {:02} {:02}:{:02}:{:02} {} {}",
        DAYS[days.rem_euclid(7) as usize],
        MONTHS[(m - 1) as usize],
        d,
        sod / 3600,
        sod % 3600 / 60,
        sod % 60,
        tz.name,
        y
    )
}

/// `InetAddress.getHostAddress()`: IPv6 as eight uncompressed lowercase groups.
fn java_host_address(ip: IpAddr, scope: u32) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            // Java hands out an Inet4Address for IPv4-mapped IPv6 peers.
            if let Some(v4) = v6.to_ipv4_mapped() {
                return v4.to_string();
            }
            let groups: Vec<String> = v6.segments().iter().map(|g| format!("{g:x}")).collect();
            let mut s = groups.join(":");
            if scope != 0 {
                s.push_str(&format!("%{scope}"));
            }
            s
        }
    }
}

/// `InetSocketAddress.toString()` of an accepted socket (no host name): `/1.2.3.4:5678`,
/// IPv6 in brackets (JDK 14+): `/[0:0:0:0:0:0:0:1]:5678`.
pub fn java_socket_address(addr: &SocketAddr) -> String {
    match addr {
        SocketAddr::V4(a) => format!("/{}:{}", a.ip(), a.port()),
        SocketAddr::V6(a) => {
            let host = java_host_address(IpAddr::V6(*a.ip()), a.scope_id());
            if host.contains(':') { format!("/[{host}]:{}", a.port()) } else { format!("/{host}:{}", a.port()) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_like_java() {
        assert_eq!(java_double(0.0), "0.0");
        assert_eq!(java_double(2.0), "2.0");
        assert_eq!(java_double(1.5), "1.5");
        assert_eq!(java_double(0.3333), "0.3333");
        assert_eq!(java_double(123456.0), "123456.0");
        assert_eq!(java_double(1e7), "1.0E7");
        assert_eq!(java_double(12345678.5), "1.23456785E7");
        assert_eq!(java_double(0.0001), "1.0E-4");
        assert_eq!(java_double(0.001), "0.001");
    }

    #[test]
    fn half_up_rounding_like_bigdecimal() {
        assert_eq!(round_half_up_4(1.0 / 3.0), 0.3333);
        assert_eq!(round_half_up_4(2.0 / 3.0), 0.6667);
        // 1/32 = 0.03125 exactly: HALF_UP gives 0.0313 (half-even would give 0.0312).
        assert_eq!(round_half_up_4(0.03125), 0.0313);
        // 0.00005 is slightly above the tie in binary.
        assert_eq!(round_half_up_4(0.00005), 0.0001);
        assert_eq!(round_half_up_4(9.99996), 10.0);
        assert_eq!(round_half_up_4(7.0), 7.0);
    }

    #[test]
    fn dates_like_java() {
        assert_eq!(java_date(0, &JavaTimeZone::default()), "Thu Jan 01 00:00:00 UTC 1970");
        assert_eq!(java_date(1_709_251_200_123, &JavaTimeZone::default()), "Fri Mar 01 00:00:00 UTC 2024");
        let cet = JavaTimeZone { offset_seconds: 3600, name: "CET".into() };
        assert_eq!(java_date(1_709_251_199_000, &cet), "Fri Mar 01 00:59:59 CET 2024");
        assert_eq!(java_date(951_782_400_000, &JavaTimeZone::default()), "Tue Feb 29 00:00:00 UTC 2000");
    }

    #[test]
    fn socket_addresses_like_java() {
        assert_eq!(java_socket_address(&"127.0.0.1:2181".parse().unwrap()), "/127.0.0.1:2181");
        assert_eq!(java_socket_address(&"[::1]:40000".parse().unwrap()), "/[0:0:0:0:0:0:0:1]:40000");
        assert_eq!(java_socket_address(&"[::ffff:10.0.0.1]:5".parse().unwrap()), "/10.0.0.1:5");
        assert_eq!(java_socket_address(&"[fe80::1%2]:5".parse().unwrap()), "/[fe80:0:0:0:0:0:0:1%2]:5");
    }
}
