package io.sluice.listener;

/**
 * What one reload did, as logged and as the admin port's {@code /config} tells it.
 *
 * @param generation counts the reloads tried since start, this one included; 0 for the start itself.
 * @param applied    true when the file's configuration (less what needs a restart) is now in force; false when the
 *                   running configuration was kept.
 * @param line       one line: what changed and what needs a restart, or why the file was refused (naming the key).
 */
public record ReloadOutcome(long generation, boolean applied, String line)
{
}
