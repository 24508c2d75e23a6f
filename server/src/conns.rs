//! The connection table: how many connections each peer holds, which are
//! idle and since when, and how to close one.
//!
//! One client must not be able to take every connection slot. So:
//!
//! - **per peer**: an address holds at most `max_connections_per_peer`
//!   connections. A new one beyond that closes that peer's longest-idle
//!   keep-alive connection to make room, or, if all of its connections are
//!   in the middle of a request, is closed at once.
//! - **at the cap** (`max_connections` in all): the longest-idle
//!   connection, whoever holds it, is closed to make room; only when every
//!   connection is in the middle of a request does the newcomer wait.
//!
//! Only a connection idle for at least [`IDLE_GRACE`] is closed this way:
//! one that has just been accepted, or has just answered, may have its
//! next request on the wire already, and closing it would fail that
//! request. Under the grace, a newcomer over its peer's limit is closed
//! instead, and one at the cap waits.
//!
//! "Closed" is hyper's graceful shutdown: an idle connection closes at
//! once, a connection in the middle of a request finishes it first.
//! That is also how the server closes every connection when it stops.
//!
//! > A client, server, or proxy MAY close the transport connection at any
//! > time. — [RFC 9112 §9.5]
//!
//! So closing an idle keep-alive connection is allowed; clients retry an
//! idempotent request on a new one.
//!
//! The request path touches no lock: each connection's idle time is an
//! atomic in its own [`Slot`]; the table's mutex is taken when a
//! connection opens or closes, and to find the idlest.
//!
//! Left out: limits per IPv6 prefix (an address is an address), rate
//! limits per peer.
//!
//! [RFC 9112 §9.5]: https://www.rfc-editor.org/rfc/rfc9112#section-9.5

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

/// How long a connection must have been idle before it may be closed to
/// make room for another.
pub(crate) const IDLE_GRACE: Duration = Duration::from_secs(1);

/// One connection's shared state.
#[derive(Debug)]
pub(crate) struct Slot {
    peer: IpAddr,
    /// Microseconds since the table's epoch at which the connection last
    /// went idle, plus one; 0 while a request is being served (or once
    /// it has been asked to close, so it is not picked twice).
    idle_since: AtomicU64,
    /// Woken to ask the connection to close.
    pub(crate) close: Notify,
}

/// Every open connection.
#[derive(Debug)]
pub(crate) struct Conns {
    epoch: Instant,
    per_peer: usize,
    /// [`IDLE_GRACE`], in microseconds (0 in unit tests).
    grace: u64,
    table: Mutex<Table>,
}

#[derive(Debug, Default)]
struct Table {
    next: u64,
    slots: HashMap<u64, Arc<Slot>>,
    peers: HashMap<IpAddr, usize>,
}

/// A connection's place in the table; dropping it frees the place.
#[derive(Debug)]
pub(crate) struct Ticket {
    conns: Arc<Conns>,
    id: u64,
    /// The connection's slot.
    pub(crate) slot: Arc<Slot>,
}

impl Conns {
    /// A table allowing `per_peer` connections per address (at least 1).
    pub(crate) fn new(per_peer: usize, grace: Duration) -> Arc<Conns> {
        Arc::new(Conns {
            epoch: Instant::now(),
            per_peer: per_peer.max(1),
            grace: grace.as_micros() as u64,
            table: Mutex::new(Table::default()),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Table> {
        // The table holds counts and handles only; a panic elsewhere
        // leaves it consistent.
        self.table.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn now(&self) -> u64 {
        self.epoch.elapsed().as_micros() as u64 + 1
    }

    /// A place for a new connection from `peer`: `None` when the peer
    /// holds its limit and none of its connections is idle. At the limit
    /// with an idle one, that one is asked to close and the newcomer is
    /// admitted.
    pub(crate) fn admit(self: &Arc<Conns>, peer: IpAddr) -> Option<Ticket> {
        let mut t = self.lock();
        let held = t.peers.get(&peer).copied().unwrap_or(0);
        if held >= self.per_peer && !self.close_idlest_in(&t, Some(peer)) {
            return None;
        }
        let id = t.next;
        t.next += 1;
        let slot = Arc::new(Slot {
            peer,
            idle_since: AtomicU64::new(self.now()),
            close: Notify::new(),
        });
        t.slots.insert(id, Arc::clone(&slot));
        *t.peers.entry(peer).or_insert(0) += 1;
        Some(Ticket {
            conns: Arc::clone(self),
            id,
            slot,
        })
    }

    /// Asks the longest-idle connection to close; `false` if none is idle.
    pub(crate) fn close_idlest(&self) -> bool {
        self.close_idlest_in(&self.lock(), None)
    }

    /// Asks the longest-idle connection (of `peer`, or of anyone) to
    /// close, if it has been idle for the grace at least.
    fn close_idlest_in(&self, t: &Table, peer: Option<IpAddr>) -> bool {
        let latest = self.now().saturating_sub(self.grace);
        let idlest = t
            .slots
            .values()
            .filter(|s| peer.is_none_or(|p| s.peer == p))
            .filter_map(|s| {
                let since = s.idle_since.load(Ordering::Relaxed);
                (since != 0 && since <= latest).then_some((since, s))
            })
            .min_by_key(|&(since, _)| since);
        match idlest {
            Some((_, slot)) => {
                slot.idle_since.store(0, Ordering::Relaxed);
                // notify_one keeps the wake-up if the task is not waiting yet.
                slot.close.notify_one();
                true
            }
            None => false,
        }
    }

    /// Asks every connection to close (shutdown).
    pub(crate) fn close_all(&self) {
        for slot in self.lock().slots.values() {
            slot.idle_since.store(0, Ordering::Relaxed);
            slot.close.notify_one();
        }
    }
}

impl Ticket {
    /// A request has arrived.
    pub(crate) fn busy(&self) {
        self.slot.idle_since.store(0, Ordering::Relaxed);
    }

    /// The response is written; the connection waits for the next request.
    pub(crate) fn idle(&self) {
        self.slot
            .idle_since
            .store(self.conns.now(), Ordering::Relaxed);
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut t = self.conns.lock();
        t.slots.remove(&self.id);
        if let Some(n) = t.peers.get_mut(&self.slot.peer) {
            *n -= 1;
            if *n == 0 {
                t.peers.remove(&self.slot.peer);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_peer_at_its_limit_recycles_its_own_idlest_connection_or_is_refused() {
        let conns = Conns::new(2, Duration::ZERO);
        let a: IpAddr = [127, 0, 0, 1].into();
        let b: IpAddr = [127, 0, 0, 2].into();
        let first = conns.admit(a).unwrap();
        let second = conns.admit(a).unwrap();
        second.idle();
        let other = conns.admit(b).unwrap();
        // `first` went idle before `second`: it is the one asked to close.
        let third = conns.admit(a).unwrap();
        assert_eq!(first.slot.idle_since.load(Ordering::Relaxed), 0);
        assert_ne!(second.slot.idle_since.load(Ordering::Relaxed), 0);
        assert_ne!(other.slot.idle_since.load(Ordering::Relaxed), 0);
        // Every one of a's connections busy: the next is refused.
        second.busy();
        third.busy();
        assert!(conns.admit(a).is_none());
        drop((first, second, third));
        assert!(conns.admit(a).is_some());
        assert_eq!(conns.lock().peers.get(&b), Some(&1));
    }
}
