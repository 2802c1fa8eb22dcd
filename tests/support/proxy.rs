//! A fault-injecting TCP proxy for tests, on 127.0.0.1 only: passes bytes between a client and
//! an upstream server and, when told to, cuts each new connection after the server has sent a
//! given number of bytes (e.g. in the middle of a FETCH response).

use std::io::{Read as _, Write as _};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// No cut: pass everything.
const PASS: u64 = u64::MAX;

pub struct FaultyProxy {
    addr: SocketAddr,
    cut_after: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    cuts: Arc<AtomicUsize>,
    to_client: Arc<AtomicU64>,
    accepter: Option<JoinHandle<()>>,
}

impl FaultyProxy {
    /// A proxy to `upstream` (`127.0.0.1:PORT`) passing everything.
    pub fn start(upstream: &str) -> FaultyProxy {
        let upstream: SocketAddr = upstream.parse().expect("upstream address");
        assert!(upstream.ip().is_loopback(), "tests talk to 127.0.0.1 only");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("proxy address");
        let cut_after = Arc::new(AtomicU64::new(PASS));
        let stop = Arc::new(AtomicBool::new(false));
        let cuts = Arc::new(AtomicUsize::new(0));
        let to_client = Arc::new(AtomicU64::new(0));
        let accepter = {
            let (cut_after, stop, cuts) = (cut_after.clone(), stop.clone(), cuts.clone());
            let to_client = to_client.clone();
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    match listener.accept() {
                        Ok((client, _)) => {
                            let budget = cut_after.load(Ordering::SeqCst);
                            let cuts = cuts.clone();
                            let to_client = to_client.clone();
                            std::thread::spawn(move || {
                                relay(client, upstream, budget, &cuts, &to_client)
                            });
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                            std::thread::sleep(Duration::from_millis(5));
                        }
                        Err(e) => panic!("proxy accept: {e}"),
                    }
                }
            })
        };
        FaultyProxy {
            addr,
            cut_after,
            stop,
            cuts,
            to_client,
            accepter: Some(accepter),
        }
    }

    /// `127.0.0.1:PORT` of the proxy.
    pub fn addr(&self) -> String {
        self.addr.to_string()
    }

    /// Connections made from now on are cut after the server sent `bytes` bytes.
    pub fn cut_after(&self, bytes: u64) {
        self.cut_after.store(bytes, Ordering::SeqCst);
    }

    /// Connections made from now on pass everything.
    pub fn pass(&self) {
        self.cut_after.store(PASS, Ordering::SeqCst);
    }

    /// Bytes the server sent to clients so far, over every connection.
    pub fn bytes_to_client(&self) -> u64 {
        self.to_client.load(Ordering::SeqCst)
    }

    /// How many connections were cut so far.
    pub fn cuts(&self) -> usize {
        self.cuts.load(Ordering::SeqCst)
    }
}

impl Drop for FaultyProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(accepter) = self.accepter.take() {
            let _ = accepter.join();
        }
    }
}

/// Relays one connection; the server → client direction stops after `budget` bytes, and then
/// both sockets are shut down (what a dropped connection looks like to both ends).
fn relay(
    client: TcpStream,
    upstream: SocketAddr,
    budget: u64,
    cuts: &AtomicUsize,
    to_client: &AtomicU64,
) {
    let Ok(server) = TcpStream::connect(upstream) else {
        let _ = client.shutdown(Shutdown::Both);
        return;
    };
    let (mut client_in, mut server_out) = (
        client.try_clone().expect("clone client"),
        server.try_clone().expect("clone server"),
    );
    let upward = std::thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        loop {
            match client_in.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if server_out.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = server_out.shutdown(Shutdown::Write);
    });
    let (mut server_in, mut client_out) = (
        server.try_clone().expect("clone"),
        client.try_clone().expect("clone"),
    );
    let mut sent = 0u64;
    let mut buf = [0u8; 16 * 1024];
    loop {
        match server_in.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let allowed = budget.saturating_sub(sent).min(n as u64) as usize;
                if client_out.write_all(&buf[..allowed]).is_err() {
                    break;
                }
                sent += allowed as u64;
                to_client.fetch_add(allowed as u64, Ordering::SeqCst);
                if allowed < n || sent >= budget {
                    cuts.fetch_add(1, Ordering::SeqCst);
                    break;
                }
            }
        }
    }
    let _ = client.shutdown(Shutdown::Both);
    let _ = server.shutdown(Shutdown::Both);
    let _ = upward.join();
}
