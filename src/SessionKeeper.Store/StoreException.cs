namespace SessionKeeper.Store;

/// <summary>
/// A store operation that cannot be done: a missing or corrupt snapshot, a bad name, a store
/// that cannot be opened. The message names the snapshot or file and says what to do.
/// </summary>
public sealed class StoreException(string message, Exception? inner = null) : Exception(message, inner);
