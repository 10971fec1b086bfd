import Testing

/// Every emit test, one at a time. Builds already use both cores; and several in-process emits
/// at once inflate the process's resident memory, which KilnTests' memory-growth check (run in
/// the same process, in parallel) would take for a leak.
@Suite(.serialized) enum EmitSuite {}
