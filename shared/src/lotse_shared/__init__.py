"""What every Lotse service imports: event contracts, outbox, Kafka and database wiring."""
