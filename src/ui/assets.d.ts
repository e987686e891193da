// Style sheets imported for their side effect: Bun's HTML bundler inlines them.
declare module "*.css";
