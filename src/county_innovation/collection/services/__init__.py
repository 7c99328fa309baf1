"""Collection's writes, each taking the keyword ``actor`` and checking it through ``collection.policies``:
entry (value writes), imports (files and API imports), rounds (round and submission workflow), publishing
(registry publication), rules (validation rule configuration)."""
