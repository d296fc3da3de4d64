"""Trainers: SFT, IPO and GRPO on TRL and PEFT (filled by the training issues; empty for now)."""
