// Package cluster shares a sweep's trials among gem workers on many
// machines through a NATS JetStream work queue.
//
// A coordinator publishes each trial (strategy, fill mode, parameter
// assignments and the data and harness fingerprints it expects) to the
// work-queue stream GEM_TRIALS; workers pull them through the one durable
// consumer "gem-workers", evaluate them and publish each result to the
// stream GEM_RESULTS, then acknowledge the trial. Both streams are kept in
// memory. A worker signals progress every third of the consumer's ack wait
// while it evaluates; one that dies before acknowledging leaves its trial
// to be redelivered after the ack wait, so a trial may be evaluated more
// than once (at-least-once delivery); the coordinator hands on the first
// result for each trial id and ignores the rest, so each trial is recorded
// exactly once.
//
// Every run has a secret (NewSecret). An embedded server takes only clients
// that present it as their token, and every message (trial, result, the
// end-of-run announcement) carries an HMAC-SHA256 under it: a process that
// reaches the server without the secret (a server of one's own without
// authorization, a leaked URL) cannot forge a result; the coordinator stops
// on one (ErrForged). A server on another machine should use TLS.
//
// A worker refuses (naks, with a refusal) a trial whose data or harness
// fingerprint differs from its own, and backs off, so that workers with the
// right data take it; the coordinator warns about the refusing worker and
// fails the trial only when no worker has taken it for a while.
//
// Files:
//
//   - wire.go: the run secret, connecting, the messages (Trial, Result),
//     their sealed JSON encoding (a result is a ledger row and its trial's
//     daily returns as a bounded, checked returns record), and the streams
//     and consumer.
//   - server.go: the embedded NATS server (Server), JetStream enabled,
//     started in-process so nothing needs installing; its run directory
//     (pid file, secret file), removed at shutdown or, after a kill, by the
//     next start.
//   - worker.go: the Worker, which pulls trials and publishes results until
//     its run is over.
//   - coordinator.go: the Coordinator, which publishes a batch of trials,
//     collects one result per trial and announces the end of its run.
//   - exec.go: Executor, the coordinator as a trial.Executor (with a sample
//     of results verified locally), and RunWorkers.
//   - start.go: Options.Start, a pool's trials sent through NATS (an
//     embedded server or one's own, local workers beside it, the worker
//     command line told); WorkerOptions.Run, a gem worker joining a run;
//     SecretEnv and DefaultName.
//
// The package knows nothing of strategies: a Worker evaluates through the
// Evaluate function its caller gives it, which is the same code path as a
// local trial.
package cluster
