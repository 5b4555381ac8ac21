// Entry point of the app; the Lit UI mounts here.
export {};
