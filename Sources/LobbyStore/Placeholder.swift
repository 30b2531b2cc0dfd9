// Placeholder until the module's issue lands; replaced by real sources.
