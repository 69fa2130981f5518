import Foundation

extension ProjectionDirectory {
    /// The steps of `compact` and `swap`, in order: crash tests kill a process at each.
    public enum CompactionStep: String, Sendable, CaseIterable {
        /// The generation lock is held.
        case locked
        /// The new generation's folder exists, empty.
        case created
        /// The compacting copy is written, not yet flushed.
        case copied
        /// The copy is flushed, its folder entry too.
        case synced
        /// `current` names the new generation.
        case published
        /// The old generations are renamed away, not yet deleted.
        case retired
    }

    /// Replaces the live generation, which `store` (following this projection) has open, by a
    /// copy holding only its live pages, and deletes the old one; returns the checkpoint of the
    /// copy. Afterwards no file of the projection holds a value that the projection had
    /// replaced or removed by that checkpoint (an erased contact's), in a freed page or
    /// anywhere else. `prepare` runs under the generation lock just before the copy (a
    /// catch-up, so the copy reflects every event so far even if a rebuild published another
    /// generation meanwhile); `step` is told each step as it is done.
    ///
    /// Crash-safe at every step: until `current` is renamed over, the old generation is live
    /// and the new folder is an unpublished one that the next swap deletes; from then on the
    /// new one is live and flushed, and the old one is deleted by this call or, if it was
    /// killed first, by the next process that opens the projection (`removeRetired`). Others
    /// may read and write the old generation meanwhile; what they write after the copy's
    /// snapshot they fold again from the log into the new one.
    public func compact(_ store: ProjectionStore, tables: [String], prepare: () throws -> Void = {}, step: (CompactionStep) -> Void = { _ in }) throws -> UInt64 {
        try withGenerationLock {
            step(.locked)
            try prepare()
            let folder = try newGeneration()
            step(.created)
            try store.copyCompacted(to: folder)
            step(.copied)
            let copy = try ProjectionStore(directory: folder, tables: tables)
            let checkpoint: UInt64
            do {
                checkpoint = try copy.read { try $0.checkpoint() }
                try copy.sync()
            } catch {
                copy.close()
                throw error
            }
            copy.close()
            try PrivateFiles.syncDirectory(folder)
            step(.synced)
            try swap(to: folder, step: step)
            return checkpoint
        }
    }
}
