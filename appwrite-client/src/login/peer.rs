//! Who is on the other end of a loopback connection. On Linux the kernel lists every TCP socket
//! with its owner's uid in `/proc/net/tcp`; the peer of a connection to `127.0.0.1` is one of
//! them, so a connection from another local user is told apart before it is read. Elsewhere
//! nothing is known, and the start page's cookie alone guards the login.

use std::net::SocketAddr;

/// Whether `peer` (connected to our `local` address) belongs to another user: `Some(true)` when
/// the kernel says so, `None` when it cannot be told (another OS, an unreadable or unexpected
/// table, no such socket).
pub(super) fn other_user(peer: SocketAddr, local: SocketAddr) -> Option<bool> {
    #[cfg(target_os = "linux")]
    {
        let owner = linux::owner(peer, local)?;
        Some(owner != rustix::process::geteuid().as_raw())
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (peer, local);
        None
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::io::Read as _;
    use std::net::{IpAddr, SocketAddr};

    /// The most read of the table: a busy machine's thousands of sockets fit.
    const MAX_TABLE_BYTES: u64 = 8 * 1024 * 1024;

    /// The uid owning the socket whose local address is `peer` and remote address `local`.
    pub(super) fn owner(peer: SocketAddr, local: SocketAddr) -> Option<u32> {
        let table = if peer.is_ipv4() {
            "/proc/net/tcp"
        } else {
            "/proc/net/tcp6"
        };
        let mut text = String::new();
        std::fs::File::open(table)
            .ok()?
            .take(MAX_TABLE_BYTES)
            .read_to_string(&mut text)
            .ok()?;
        find(&text, &hex(peer)?, &hex(local)?)
    }

    /// An address as the table writes it: the address's bytes as host-order words in hex, a
    /// colon, the port in hex.
    fn hex(addr: SocketAddr) -> Option<String> {
        let words = match addr.ip() {
            IpAddr::V4(ip) => format!("{:08X}", u32::from_ne_bytes(ip.octets())),
            IpAddr::V6(ip) => ip
                .octets()
                .chunks_exact(4)
                .map(|word| {
                    let word: [u8; 4] = word.try_into().ok()?;
                    Some(format!("{:08X}", u32::from_ne_bytes(word)))
                })
                .collect::<Option<String>>()?,
        };
        Some(format!("{words}:{:04X}", addr.port()))
    }

    /// The uid column of the row `local_address rem_address` = `peer local`.
    fn find(table: &str, peer: &str, local: &str) -> Option<u32> {
        table.lines().skip(1).find_map(|row| {
            let mut columns = row.split_whitespace();
            let (Some(_), Some(from), Some(to)) = (columns.next(), columns.next(), columns.next())
            else {
                return None;
            };
            if from != peer || to != local {
                return None;
            }
            // st, tx:rx, tr:when, retrnsmt, then uid.
            columns.nth(4)?.parse().ok()
        })
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn reads_the_owner_of_the_matching_row() {
            let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n\
                0: 0100007F:B64D 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 61304 1\n\
                1: 0100007F:C001 0100007F:B64D 01 00000000:00000000 00:00000000 00000000 65534        0 61305 1\n\
                2: 0100007F:B64D 0100007F:C001 01 00000000:00000000 00:00000000 00000000     0        0 61306 1\n";
            assert_eq!(find(table, "0100007F:C001", "0100007F:B64D"), Some(65534));
            assert_eq!(find(table, "0100007F:C002", "0100007F:B64D"), None);
            let peer: SocketAddr = "127.0.0.1:49153".parse().unwrap();
            let expected = if cfg!(target_endian = "little") {
                "0100007F:C001"
            } else {
                "7F000001:C001"
            };
            assert_eq!(hex(peer).as_deref(), Some(expected));
        }
    }
}
