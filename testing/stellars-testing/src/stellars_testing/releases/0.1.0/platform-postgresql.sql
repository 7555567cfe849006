SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

CREATE TABLE public.activity_daily (
    username character varying(255) NOT NULL,
    day date NOT NULL,
    active_samples integer NOT NULL
);

CREATE TABLE public.activity_samples (
    username character varying(255) NOT NULL,
    "timestamp" timestamp with time zone NOT NULL,
    active boolean NOT NULL
);

CREATE TABLE public.activity_state (
    id integer NOT NULL,
    reference timestamp with time zone NOT NULL,
    half_life_seconds double precision NOT NULL,
    last_tick timestamp with time zone
);

CREATE SEQUENCE public.activity_state_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.activity_state_id_seq OWNED BY public.activity_state.id;

CREATE TABLE public.activity_totals (
    username character varying(255) NOT NULL,
    weighted_active double precision NOT NULL,
    weighted_total double precision NOT NULL,
    samples integer NOT NULL,
    first_sample timestamp with time zone NOT NULL,
    last_sample timestamp with time zone NOT NULL
);

CREATE TABLE public.broadcast_history (
    id integer NOT NULL,
    sent_at timestamp with time zone NOT NULL,
    sender character varying(255) NOT NULL,
    message character varying(140) NOT NULL,
    variant character varying(16) NOT NULL,
    auto_close_ms integer,
    recipients integer NOT NULL,
    delivered integer NOT NULL
);

CREATE SEQUENCE public.broadcast_history_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.broadcast_history_id_seq OWNED BY public.broadcast_history.id;

CREATE TABLE public.login_throttle (
    key character varying(64) NOT NULL,
    attempts integer NOT NULL,
    latest timestamp with time zone NOT NULL
);

CREATE TABLE public.session_extensions (
    username character varying(255) NOT NULL,
    started timestamp with time zone NOT NULL,
    deadline timestamp with time zone NOT NULL,
    hours_used integer NOT NULL
);

CREATE TABLE public.stellars_deleted_accounts (
    identity character varying(64) NOT NULL,
    name character varying(255) NOT NULL,
    deleted_at timestamp with time zone NOT NULL
);

CREATE TABLE public.stellars_docker_grants (
    "group" character varying(255) NOT NULL,
    user_id integer NOT NULL,
    username character varying(255) NOT NULL,
    granted_by character varying(255) NOT NULL,
    by_full_admin boolean NOT NULL,
    granted_at timestamp with time zone NOT NULL
);

CREATE TABLE public.stellars_volume_owners (
    volume character varying(255) NOT NULL,
    owner character varying(64) NOT NULL,
    owner_name character varying(255) NOT NULL,
    reason character varying(16) NOT NULL,
    recorded_at timestamp with time zone NOT NULL
);

ALTER TABLE ONLY public.activity_state ALTER COLUMN id SET DEFAULT nextval('public.activity_state_id_seq'::regclass);

ALTER TABLE ONLY public.broadcast_history ALTER COLUMN id SET DEFAULT nextval('public.broadcast_history_id_seq'::regclass);

ALTER TABLE ONLY public.activity_daily
    ADD CONSTRAINT activity_daily_pkey PRIMARY KEY (username, day);

ALTER TABLE ONLY public.activity_samples
    ADD CONSTRAINT activity_samples_pkey PRIMARY KEY (username, "timestamp");

ALTER TABLE ONLY public.activity_state
    ADD CONSTRAINT activity_state_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.activity_totals
    ADD CONSTRAINT activity_totals_pkey PRIMARY KEY (username);

ALTER TABLE ONLY public.broadcast_history
    ADD CONSTRAINT broadcast_history_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.login_throttle
    ADD CONSTRAINT login_throttle_pkey PRIMARY KEY (key);

ALTER TABLE ONLY public.session_extensions
    ADD CONSTRAINT session_extensions_pkey PRIMARY KEY (username);

ALTER TABLE ONLY public.stellars_deleted_accounts
    ADD CONSTRAINT stellars_deleted_accounts_pkey PRIMARY KEY (identity);

ALTER TABLE ONLY public.stellars_docker_grants
    ADD CONSTRAINT stellars_docker_grants_pkey PRIMARY KEY ("group", user_id);

ALTER TABLE ONLY public.stellars_volume_owners
    ADD CONSTRAINT stellars_volume_owners_pkey PRIMARY KEY (volume);

CREATE INDEX ix_activity_samples_timestamp ON public.activity_samples USING btree ("timestamp");

CREATE INDEX ix_broadcast_history_sent_at ON public.broadcast_history USING btree (sent_at);

CREATE INDEX ix_login_throttle_latest ON public.login_throttle USING btree (latest);

CREATE INDEX ix_stellars_deleted_accounts_name ON public.stellars_deleted_accounts USING btree (name);
