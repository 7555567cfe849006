CREATE TABLE activity_daily (
	username VARCHAR(255) NOT NULL, 
	day DATE NOT NULL, 
	active_samples INTEGER NOT NULL, 
	PRIMARY KEY (username, day)
);

CREATE TABLE activity_samples (
	username VARCHAR(255) NOT NULL, 
	timestamp DATETIME NOT NULL, 
	active BOOLEAN NOT NULL, 
	PRIMARY KEY (username, timestamp)
);

CREATE TABLE activity_state (
	id INTEGER NOT NULL, 
	reference DATETIME NOT NULL, 
	half_life_seconds DOUBLE NOT NULL, 
	last_tick DATETIME, 
	PRIMARY KEY (id)
);

CREATE TABLE activity_totals (
	username VARCHAR(255) NOT NULL, 
	weighted_active DOUBLE NOT NULL, 
	weighted_total DOUBLE NOT NULL, 
	samples INTEGER NOT NULL, 
	first_sample DATETIME NOT NULL, 
	last_sample DATETIME NOT NULL, 
	PRIMARY KEY (username)
);

CREATE TABLE broadcast_history (
	id INTEGER NOT NULL, 
	sent_at DATETIME NOT NULL, 
	sender VARCHAR(255) NOT NULL, 
	message VARCHAR(140) NOT NULL, 
	variant VARCHAR(16) NOT NULL, 
	auto_close_ms INTEGER, 
	recipients INTEGER NOT NULL, 
	delivered INTEGER NOT NULL, 
	PRIMARY KEY (id)
);

CREATE TABLE login_throttle (
	"key" VARCHAR(64) NOT NULL, 
	attempts INTEGER NOT NULL, 
	latest DATETIME NOT NULL, 
	PRIMARY KEY ("key")
);

CREATE TABLE session_extensions (
	username VARCHAR(255) NOT NULL, 
	started DATETIME NOT NULL, 
	deadline DATETIME NOT NULL, 
	hours_used INTEGER NOT NULL, 
	PRIMARY KEY (username)
);

CREATE TABLE stellars_deleted_accounts (
	identity VARCHAR(64) NOT NULL, 
	name VARCHAR(255) NOT NULL, 
	deleted_at DATETIME NOT NULL, 
	PRIMARY KEY (identity)
);

CREATE TABLE stellars_docker_grants (
	"group" VARCHAR(255) NOT NULL, 
	user_id INTEGER NOT NULL, 
	username VARCHAR(255) NOT NULL, 
	granted_by VARCHAR(255) NOT NULL, 
	by_full_admin BOOLEAN NOT NULL, 
	granted_at DATETIME NOT NULL, 
	PRIMARY KEY ("group", user_id)
);

CREATE TABLE stellars_volume_owners (
	volume VARCHAR(255) NOT NULL, 
	owner VARCHAR(64) NOT NULL, 
	owner_name VARCHAR(255) NOT NULL, 
	reason VARCHAR(16) NOT NULL, 
	recorded_at DATETIME NOT NULL, 
	PRIMARY KEY (volume)
);

CREATE INDEX ix_activity_samples_timestamp ON activity_samples (timestamp);

CREATE INDEX ix_broadcast_history_sent_at ON broadcast_history (sent_at);

CREATE INDEX ix_login_throttle_latest ON login_throttle (latest);

CREATE INDEX ix_stellars_deleted_accounts_name ON stellars_deleted_accounts (name);

