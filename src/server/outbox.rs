//! An ordered outbox towards another executor: producers push synchronously, one flusher task per
//! destination sends batches, so messages leave in exactly the order they were produced.

use glommio::channels::local_channel::{self, LocalReceiver, LocalSender};
use glommio::channels::shared_channel::ConnectedSender;
use glommio::sync::Semaphore;
use std::cell::RefCell;
use std::rc::Rc;

pub struct Outbox<T> {
    pending: RefCell<Vec<T>>,
    wake: LocalSender<()>,
}

/// Credits for a gated outbox: one credit = one batch may leave. The receiver's answers give them
/// back, so a slow receiver gets fewer, bigger batches instead of a wake-up per message.
pub type Gate = Rc<Semaphore>;

impl<T: Send + 'static> Outbox<T> {
    /// Creates the outbox and spawns its flusher on the current executor.
    pub fn spawn(dest: ConnectedSender<Vec<T>>) -> Rc<Outbox<T>> {
        Self::spawn_gated(dest, None)
    }

    /// Like `spawn`, but each batch first takes a credit from `gate` (if any); the batch is made of
    /// everything pending once the credit is there.
    pub fn spawn_gated(dest: ConnectedSender<Vec<T>>, gate: Option<Gate>) -> Rc<Outbox<T>> {
        let (wake, woken) = local_channel::new_bounded(1);
        let outbox = Rc::new(Outbox { pending: RefCell::new(Vec::new()), wake });
        glommio::spawn_local(flush_loop(outbox.clone(), dest, woken, gate)).detach();
        outbox
    }

    pub fn push(&self, item: T) {
        self.pending.borrow_mut().push(item);
        // A full wake channel already means "work pending": nothing is lost.
        let _ = self.wake.try_send(());
    }
}

async fn flush_loop<T: Send + 'static>(
    outbox: Rc<Outbox<T>>,
    dest: ConnectedSender<Vec<T>>,
    woken: LocalReceiver<()>,
    gate: Option<Gate>,
) {
    while woken.recv().await.is_some() {
        loop {
            if outbox.pending.borrow().is_empty() {
                break;
            }
            if let Some(gate) = &gate {
                if gate.acquire(1).await.is_err() {
                    return;
                }
            }
            // The next batch starts with room for one as big as this one: growing a Vec of
            // txns by doubling (realloc + copy per step) showed in profiles.
            let batch = {
                let mut pending = outbox.pending.borrow_mut();
                let room = pending.len().next_power_of_two();
                std::mem::replace(&mut *pending, Vec::with_capacity(room))
            };
            if dest.send(batch).await.is_err() {
                return;
            }
        }
    }
}
