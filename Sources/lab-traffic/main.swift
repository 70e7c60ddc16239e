print("lab-traffic: under construction")
