//! How chunks move through the engine: read, transformed by the pool, taken in order. With more
//! than one thread the three steps run as separate stages; `read_chunk` is shared by both loops.

use crate::input::{Item, Source};

use super::{ConvertError, Outcome};

type Taken = Vec<Option<Outcome>>;

/// A chunk of rows on its way through the stages, with the spent document buffers of an earlier
/// chunk: the workers write this chunk's documents into them instead of allocating.
#[derive(Default)]
pub struct Chunk {
    pub items: Vec<Item>,
    pub bufs: Vec<Vec<u8>>,
}

/// The loop with more than one thread: three stages joined by short queues. A reader thread
/// reads chunks, a transform thread hands each to the rayon pool, and the main thread takes the
/// results in, in input order. Each stage runs at its own pace (none waits for a slower one
/// until a queue is full); only the intake is strictly sequential.
pub fn run_overlapped(
    source: &mut dyn Source,
    rows: usize,
    transform_chunk: &(dyn Fn(&mut Chunk) -> Taken + Sync),
    take: &mut dyn FnMut(Chunk, Taken) -> Result<Chunk, ConvertError>,
) -> Result<(), ConvertError> {
    type Read = Result<Chunk, ConvertError>;
    type Done = Result<Option<(Chunk, Taken)>, ConvertError>;
    std::thread::scope(|s| {
        let (read_tx, read_rx) = std::sync::mpsc::sync_channel::<Read>(1);
        let (done_tx, done_rx) = std::sync::mpsc::sync_channel::<Done>(1);
        let (spare_tx, spare_rx) = std::sync::mpsc::channel::<Chunk>();
        let reader = s.spawn(move || loop {
            let spare = spare_rx.try_recv().unwrap_or_default();
            let chunk = read_chunk(&mut *source, rows, spare);
            // The last message is an empty chunk or an error; the receiver stops there.
            let last = !matches!(&chunk, Ok(c) if !c.items.is_empty());
            if read_tx.send(chunk).is_err() || last {
                break;
            }
        });
        let transformer = s.spawn(move || {
            for chunk in read_rx {
                let msg = match chunk {
                    Ok(c) if c.items.is_empty() => Ok(None),
                    Ok(mut c) => {
                        let outcomes = transform_chunk(&mut c);
                        Ok(Some((c, outcomes)))
                    }
                    Err(e) => Err(e),
                };
                let last = !matches!(msg, Ok(Some(_)));
                if done_tx.send(msg).is_err() || last {
                    return;
                }
            }
            // The reader's channel closed without its last message: it panicked. Dropping
            // `done_tx` now tells the main thread, which then looks at both threads.
        });
        loop {
            match done_rx.recv() {
                Ok(Ok(Some((chunk, outcomes)))) => {
                    let _ = spare_tx.send(take(chunk, outcomes)?);
                }
                Ok(Ok(None)) => return Ok(()),
                Ok(Err(e)) => return Err(e),
                // Both threads always send their last message before they end: a closed
                // channel means one panicked, and its rows must not silently go missing.
                Err(_) => {
                    for stage in [reader, transformer] {
                        if let Err(panic) = stage.join() {
                            std::panic::resume_unwind(panic);
                        }
                    }
                    return Err(ConvertError::Options(
                        "the conversion stopped unexpectedly".into(),
                    ));
                }
            }
        }
    })
}

/// Read up to `rows` items into `spare`, whose rows (from an earlier chunk) the source may
/// overwrite in place.
pub fn read_chunk(
    source: &mut dyn Source,
    rows: usize,
    mut spare: Chunk,
) -> Result<Chunk, ConvertError> {
    let items = &mut spare.items;
    items.truncate(rows);
    let mut n = 0;
    while n < rows {
        if n == items.len() {
            items.push(Item::placeholder());
        }
        if !source.read_into(&mut items[n])? {
            break;
        }
        n += 1;
    }
    items.truncate(n);
    Ok(spare)
}
