// Package dist shares a sweep's trials among gem workers on many machines
// through a NATS JetStream work queue.
//
// A coordinator publishes each trial (strategy, fill mode, parameter
// assignments and the data and harness fingerprints it expects) to the
// work-queue stream GEM_TRIALS; workers pull them through the one durable
// consumer "gem-workers", evaluate them and publish each result to the
// stream GEM_RESULTS, then acknowledge the trial. A worker that dies before
// acknowledging leaves its trial to be redelivered after AckWait, so a trial
// may be evaluated more than once (at-least-once delivery); the coordinator
// hands on the first result for each trial id and ignores the rest, so each
// trial is recorded exactly once. A worker refuses (naks, with an error
// result) a trial whose data or harness fingerprint differs from its own:
// every machine must load the same data and run the same harness.
//
// Files:
//
//   - wire.go: the messages (Trial, Result), their JSON encoding, and the
//     streams and consumer both sides create.
//   - server.go: the embedded NATS server (Server), JetStream enabled,
//     started in-process so nothing needs installing.
//   - worker.go: the Worker, which pulls trials and publishes results.
//   - coordinator.go: the Coordinator, which publishes a batch of trials and
//     collects one result per trial.
//
// The package knows nothing of strategies: a Worker evaluates through the
// Evaluate function its caller gives it, which is the same code path as a
// local trial.
package cluster
