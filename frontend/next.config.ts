import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // The image copies .next/standalone; server.js runs without node_modules from the build stage.
  output: "standalone",
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
