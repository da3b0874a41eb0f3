"""The application layer: what the command line and the window both do with a course —
plan, save, record, reschedule, response, double check, next cycle, history, export and
import — and the institution's settings. No Qt. Every change is applied by the core and
persisted through the store; nothing here decides anything clinical."""
