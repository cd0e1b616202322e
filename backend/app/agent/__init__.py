"""The chat agent: one Agents SDK Agent whose tools are the MCP server's tools."""
